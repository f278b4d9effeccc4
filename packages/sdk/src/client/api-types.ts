// Generated from the server's schemas (docs/openapi.json) by `npm run docs`; do not edit by hand.
// packages/hookline/test/client-types.test.ts fails when this file is stale.

/** The named schemas of the API (`components.schemas` in docs/openapi.json). */
export interface components {
  schemas: {
    App: {
      id: string;
      name: string;
      uid: string | null;
      createdAt: string;
      updatedAt: string;
    };
    Problem: {
      type: string;
      title: string;
      status: number;
      detail: string;
      code: string;
      errors?: {
        field: string;
        message: string;
      }[];
    };
    AppCreate: {
      name: string;
      uid?: string | null;
    };
    AppPage: {
      data: components['schemas']['App'][];
      iterator: string | null;
      done: boolean;
    };
    AppUpdate: {
      name?: string;
      uid?: string | null;
    };
    AppTokenCreated: components['schemas']['AppToken'] & {
      token: string;
    };
    AppToken: {
      id: string;
      name: string;
      createdAt: string;
    };
    AppTokenCreate: {
      name?: string;
    };
    AppTokenPage: {
      data: components['schemas']['AppToken'][];
      iterator: string | null;
      done: boolean;
    };
    EventType: {
      name: string;
      description: string;
      schema: {
        [key: string]: unknown;
      } | null;
      archived: boolean;
      createdAt: string;
      updatedAt: string;
    };
    EventTypeCreate: {
      name: string;
      description?: string;
      schema?: {
        [key: string]: unknown;
      } | null;
    };
    EventTypePage: {
      data: components['schemas']['EventType'][];
      iterator: string | null;
      done: boolean;
    };
    EventTypeUpdate: {
      description?: string;
      schema?: {
        [key: string]: unknown;
      } | null;
      archived?: boolean;
    };
    Endpoint: {
      id: string;
      url: string;
      eventTypes: string[];
      description: string;
      disabled: boolean;
      rateLimit: number | null;
      headers: {
        [key: string]: string;
      };
      createdAt: string;
      updatedAt: string;
    };
    EndpointCreate: {
      url: string;
      eventTypes?: string[];
      description?: string;
      disabled?: boolean;
      rateLimit?: number | null;
      headers?: {
        [key: string]: string;
      };
      secret?: string;
    };
    EndpointPage: {
      data: components['schemas']['Endpoint'][];
      iterator: string | null;
      done: boolean;
    };
    EndpointUpdate: {
      url?: string;
      eventTypes?: string[];
      description?: string;
      disabled?: boolean;
      rateLimit?: number | null;
      headers?: {
        [key: string]: string;
      };
    };
    EndpointSecret: {
      secret: string;
    };
    SecretRotate: {
      secret?: string;
    };
    Requeued: {
      queued: number;
    };
    EndpointRecover: {
      since: string;
    };
    MessageAccepted: {
      id: string;
      eventType: string;
      eventId: string | null;
      timestamp: string;
    };
    MessageCreate: {
      eventType: string;
      payload: Record<string, unknown>;
      eventId?: string;
    };
    MessagePage: {
      data: components['schemas']['MessageAccepted'][];
      iterator: string | null;
      done: boolean;
    };
    Message: components['schemas']['MessageAccepted'] & {
      payload: {
        [key: string]: unknown;
      };
    };
    AttemptPage: {
      data: components['schemas']['Attempt'][];
      iterator: string | null;
      done: boolean;
    };
    Attempt: {
      id: string;
      messageId: string;
      endpointId: string;
      attemptNumber: number;
      status: 'succeeded' | 'failed';
      responseStatusCode: number | null;
      responseBody: string;
      durationMs: number;
      error: string | null;
      createdAt: string;
    };
    MessageResend: {
      endpointId?: string;
    };
    Stats: {
      count: number;
      succeeded: number;
      failed: number;
      pending: number;
      successRate: number | null;
      delayMs: {
        p50: number | null;
        p95: number | null;
        p99: number | null;
      };
    };
    OperationalWebhook: {
      url: string;
      secret: string;
      appId: string;
      endpointId: string;
      disabled: boolean;
      eventTypes: string[];
    };
    Health: {
      status: 'ok' | 'unhealthy';
      version: string;
      role: 'all' | 'api' | 'worker';
      reason?: string;
      [key: string]: unknown;
    };
  };
}

/**
 * Every route of the API by path and lower-case method: its query parameters, its JSON request body
 * (`undefined` when it takes none) and its JSON answer by 2xx status (`undefined` when it has none).
 */
export interface paths {
  '/v1/apps': {
    /** List apps, newest first */
    get: {
      query: {
        limit?: number;
        iterator?: string;
      };
      body: undefined;
      responses: {
        200: components['schemas']['AppPage'];
      };
    };
    /** Create an app (a tenant) */
    post: {
      query: Record<string, never>;
      body: components['schemas']['AppCreate'];
      responses: {
        201: components['schemas']['App'];
      };
    };
  };
  '/v1/apps/{app}': {
    /** Get an app by id or uid */
    get: {
      query: Record<string, never>;
      body: undefined;
      responses: {
        200: components['schemas']['App'];
      };
    };
    /** Update an app */
    patch: {
      query: Record<string, never>;
      body: components['schemas']['AppUpdate'];
      responses: {
        200: components['schemas']['App'];
      };
    };
    /** Delete an app with its endpoints, messages and attempts */
    delete: {
      query: Record<string, never>;
      body: undefined;
      responses: {
        204: undefined;
      };
    };
  };
  '/v1/apps/{app}/tokens': {
    /** List an app's tokens, newest first (never the tokens themselves) */
    get: {
      query: {
        limit?: number;
        iterator?: string;
      };
      body: undefined;
      responses: {
        200: components['schemas']['AppTokenPage'];
      };
    };
    /** Create an app-scoped API token (shown only in this answer) */
    post: {
      query: Record<string, never>;
      body: components['schemas']['AppTokenCreate'] | undefined;
      responses: {
        201: components['schemas']['AppTokenCreated'];
      };
    };
  };
  '/v1/apps/{app}/tokens/{token}': {
    /** Revoke an app token; it stops working at once */
    delete: {
      query: Record<string, never>;
      body: undefined;
      responses: {
        204: undefined;
      };
    };
  };
  '/v1/event-types': {
    /** List event types, newest first (archived ones with includeArchived=true) */
    get: {
      query: {
        limit?: number;
        iterator?: string;
        includeArchived?: boolean;
      };
      body: undefined;
      responses: {
        200: components['schemas']['EventTypePage'];
      };
    };
    /** Register an event type, optionally with a JSON Schema for its payloads */
    post: {
      query: Record<string, never>;
      body: components['schemas']['EventTypeCreate'];
      responses: {
        201: components['schemas']['EventType'];
      };
    };
  };
  '/v1/event-types/{name}': {
    /** Get an event type (archived ones too) */
    get: {
      query: Record<string, never>;
      body: undefined;
      responses: {
        200: components['schemas']['EventType'];
      };
    };
    /** Update an event type (schema: null removes it; archived: false restores it) */
    patch: {
      query: Record<string, never>;
      body: components['schemas']['EventTypeUpdate'];
      responses: {
        200: components['schemas']['EventType'];
      };
    };
    /** Archive an event type (it stays readable; PATCH archived: false restores it) */
    delete: {
      query: Record<string, never>;
      body: undefined;
      responses: {
        204: undefined;
      };
    };
  };
  '/v1/apps/{app}/endpoints': {
    /** List an app's endpoints, newest first */
    get: {
      query: {
        limit?: number;
        iterator?: string;
      };
      body: undefined;
      responses: {
        200: components['schemas']['EndpointPage'];
      };
    };
    /** Register an endpoint */
    post: {
      query: Record<string, never>;
      body: components['schemas']['EndpointCreate'];
      responses: {
        201: components['schemas']['Endpoint'];
      };
    };
  };
  '/v1/apps/{app}/endpoints/{ep}': {
    /** Get an endpoint */
    get: {
      query: Record<string, never>;
      body: undefined;
      responses: {
        200: components['schemas']['Endpoint'];
      };
    };
    /** Update an endpoint (re-enable it with disabled: false) */
    patch: {
      query: Record<string, never>;
      body: components['schemas']['EndpointUpdate'];
      responses: {
        200: components['schemas']['Endpoint'];
      };
    };
    /** Delete an endpoint; its pending deliveries are given up (an attempt in flight at that moment is not recorded) */
    delete: {
      query: Record<string, never>;
      body: undefined;
      responses: {
        204: undefined;
      };
    };
  };
  '/v1/apps/{app}/endpoints/{ep}/secret': {
    /** The endpoint's current signing secret */
    get: {
      query: Record<string, never>;
      body: undefined;
      responses: {
        200: components['schemas']['EndpointSecret'];
      };
    };
  };
  '/v1/apps/{app}/endpoints/{ep}/secret/rotate': {
    /** Rotate the signing secret; the old one keeps signing (a second signature) for 24 h */
    post: {
      query: Record<string, never>;
      body: components['schemas']['SecretRotate'] | undefined;
      responses: {
        204: undefined;
      };
    };
  };
  '/v1/apps/{app}/endpoints/{ep}/recover': {
    /** Re-send every failed delivery of messages created since a time, queued oldest first (sent concurrently) */
    post: {
      query: Record<string, never>;
      body: components['schemas']['EndpointRecover'];
      responses: {
        202: components['schemas']['Requeued'];
      };
    };
  };
  '/v1/apps/{app}/messages': {
    /** List an app's messages, newest first, by event type and time (payloads: get one message) */
    get: {
      query: {
        limit?: number;
        iterator?: string;
        eventType?: string;
        before?: string;
        after?: string;
      };
      body: undefined;
      responses: {
        200: components['schemas']['MessagePage'];
      };
    };
    /** Send a message to every matching endpoint of the app */
    post: {
      query: Record<string, never>;
      body: components['schemas']['MessageCreate'];
      responses: {
        202: components['schemas']['MessageAccepted'];
      };
    };
  };
  '/v1/apps/{app}/messages/{msg}': {
    /** Get a message with its payload */
    get: {
      query: Record<string, never>;
      body: undefined;
      responses: {
        200: components['schemas']['Message'];
      };
    };
  };
  '/v1/apps/{app}/messages/{msg}/attempts': {
    /** A message's delivery attempts, newest first */
    get: {
      query: {
        limit?: number;
        iterator?: string;
      };
      body: undefined;
      responses: {
        200: components['schemas']['AttemptPage'];
      };
    };
  };
  '/v1/apps/{app}/messages/{msg}/resend': {
    /** Send a message again: to one endpoint, or to every enabled endpoint it matched when it was created */
    post: {
      query: Record<string, never>;
      body: components['schemas']['MessageResend'] | undefined;
      responses: {
        202: components['schemas']['Requeued'];
      };
    };
  };
  '/v1/stats': {
    /** Delivery stats over every app */
    get: {
      query: {
        since?: string;
      };
      body: undefined;
      responses: {
        200: components['schemas']['Stats'];
      };
    };
  };
  '/v1/apps/{app}/stats': {
    /** Delivery stats of one app */
    get: {
      query: {
        since?: string;
      };
      body: undefined;
      responses: {
        200: components['schemas']['Stats'];
      };
    };
  };
  '/v1/apps/{app}/endpoints/{ep}/stats': {
    /** Delivery stats of one endpoint */
    get: {
      query: {
        since?: string;
      };
      body: undefined;
      responses: {
        200: components['schemas']['Stats'];
      };
    };
  };
  '/v1/operational-webhook': {
    /** The operational webhook endpoint (--operational-webhook-url) and its signing secret */
    get: {
      query: Record<string, never>;
      body: undefined;
      responses: {
        200: components['schemas']['OperationalWebhook'];
      };
    };
  };
  '/healthz': {
    /** Health: the database answers and takes writes, delivery runs */
    get: {
      query: Record<string, never>;
      body: undefined;
      responses: {
        200: components['schemas']['Health'];
      };
    };
  };
  '/metrics': {
    /** Prometheus metrics (text exposition format) */
    get: {
      query: Record<string, never>;
      body: undefined;
      responses: {
        200: unknown;
      };
    };
  };
  '/openapi.json': {
    /** This OpenAPI 3.1 document */
    get: {
      query: Record<string, never>;
      body: undefined;
      responses: {
        200: {
          [key: string]: unknown;
        };
      };
    };
  };
}
