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
    /** Delete an endpoint; its pending deliveries are given up */
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
  '/v1/apps/{app}/messages': {
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
}
