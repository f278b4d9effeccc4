import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { DeliveryStore } from '../store/port.js';
import type { EventType } from '../store/types.js';
import { type FieldError, fieldPath, HttpError } from './errors.js';
import { TtlCache } from './ttl-cache.js';

/** A JSON Schema that cannot be compiled; the API answers 400 naming `field` (`schema`, or a part of it). */
export class InvalidSchemaError extends Error {
  override name = 'InvalidSchemaError';
  constructor(
    message: string,
    readonly field = 'schema',
  ) {
    super(message);
  }
}

/**
 * Compile a payload schema. `$schema` draft-06/07 gets ajv's draft-07 class, anything else JSON Schema
 * 2020-12 (OpenAPI 3.1's dialect). One ajv instance per schema, so an old version can be dropped and two
 * types may share an `$id`. Unknown keywords are ignored rather than refused (schemas often carry
 * `example`); formats (date-time, email, uuid, …) are checked.
 */
export function compilePayloadSchema(schema: Record<string, unknown>): ValidateFunction {
  const draft07 = typeof schema.$schema === 'string' && /draft-0[67]/.test(schema.$schema);
  // compile() does not check the schema against its meta-schema again: that is done first, below.
  const options = { strict: false, validateSchema: false };
  const ajv = draft07 ? new Ajv(options) : new Ajv2020(options);
  addFormats.default(ajv);
  let validate: ValidateFunction;
  try {
    // Against its meta-schema first, so that a bad keyword is named where it is
    // (`schema.properties.price.minimum: must be number`). An unknown `$schema` throws here.
    if (!ajv.validateSchema(schema)) {
      const [first] = ajv.errors ?? [];
      const field = fieldPath(['schema', ...pointer(first?.instancePath)]);
      throw new InvalidSchemaError(first?.message ?? 'is not a valid JSON Schema', field);
    }
    validate = ajv.compile(schema);
  } catch (error) {
    if (error instanceof InvalidSchemaError) throw error;
    throw new InvalidSchemaError((error as Error).message);
  }
  // A schema may refer to itself without consuming any of the value (`{"$ref": "#"}`): ajv compiles it,
  // and validating anything then recurses until the stack runs out. One trial run finds most such loops.
  for (const sample of [{}, []]) {
    try {
      validate(sample);
    } catch (error) {
      throw new InvalidSchemaError(describeEvaluationError(error));
    }
  }
  return validate;
}

/** Why evaluating a schema threw (ajv reports mismatches as errors, so a throw is the schema's fault). */
function describeEvaluationError(error: unknown): string {
  return error instanceof RangeError
    ? 'it refers to itself without end (a $ref loop), so no payload can be checked against it'
    : `evaluating it failed: ${(error as Error).message}`;
}

/** The parts of a JSON Pointer (`/items/0/price` → items, 0, price). */
function pointer(path: string | undefined): string[] {
  return (path ?? '')
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** An ajv error as a field of the message body: `payload.items.0.price`, `payload.orderId` (missing), `payload["a.b"]`. */
function fieldOf(error: ErrorObject): FieldError {
  const path = pointer(error.instancePath);
  const params = error.params as { missingProperty?: string; additionalProperty?: string };
  const extra = params.missingProperty ?? params.additionalProperty;
  if (extra !== undefined) path.push(extra);
  return { field: fieldPath(['payload', ...path]), message: error.message ?? 'does not match the schema' };
}

/** Compiled schemas kept (≈1.5 KB each and more for big schemas). */
const MAX_VALIDATORS = 1_000;

/**
 * Event types as the write path needs them: looked up by name with a short cache (a negative answer is
 * cached too, so unregistered types cost no query), and each schema compiled once per version (keyed by
 * the type's updatedAt). Writes through this process forget their entry at once; other processes'
 * changes are seen within `ttlMs`.
 */
export class EventTypeCatalog {
  private readonly entries: TtlCache<EventType | null>;
  private readonly validators = new Map<string, { updatedAt: number; validate: ValidateFunction }>();

  constructor(
    private readonly store: DeliveryStore,
    private readonly strict: boolean,
    clock: () => number,
    ttlMs = 1000,
    private readonly maxValidators = MAX_VALIDATORS,
  ) {
    this.entries = new TtlCache(clock, ttlMs, true);
  }

  /** How many compiled schemas are kept (bounded by `maxValidators`). */
  get compiledSchemas(): number {
    return this.validators.size;
  }

  /** Drop what is cached for `name` (after this process changed it). */
  forget(name: string): void {
    this.entries.delete(name);
  }

  private lookup(name: string): Promise<EventType | null> {
    // A negative answer is cached too, so unregistered types cost no query.
    return this.entries.get(name, (key) => this.store.getEventType(key));
  }

  private validatorFor(type: EventType & { schema: Record<string, unknown> }): ValidateFunction {
    const known = this.validators.get(type.name);
    if (known && known.updatedAt === type.updatedAt) return known.validate;
    const validate = compilePayloadSchema(type.schema);
    // Bounded where event types churn: the oldest compiled schema goes first (it compiles again if used).
    if (!known && this.validators.size >= this.maxValidators) this.validators.delete(this.validators.keys().next().value!);
    this.validators.set(type.name, { updatedAt: type.updatedAt, validate });
    return validate;
  }

  /**
   * Refuse a message the event type does not allow: unregistered or archived under --strict-event-types
   * (422 event_type_not_registered), or a payload its schema rejects (422 payload_schema_mismatch, naming
   * the failing path). Shared by every ingest path.
   */
  async checkMessage(eventType: string, payload: unknown): Promise<void> {
    const type = await this.lookup(eventType);
    if (this.strict && (type === null || type.archived)) {
      const why = type === null ? 'is not registered' : 'is archived';
      throw new HttpError(
        'event_type_not_registered',
        `event type ${JSON.stringify(eventType)} ${why}; the server runs with --strict-event-types`,
        [{ field: 'eventType', message: why }],
      );
    }
    if (!type?.schema) return;
    let validate: ValidateFunction;
    let valid: boolean;
    try {
      validate = this.validatorFor(type as EventType & { schema: Record<string, unknown> });
      valid = validate(payload) as boolean;
    } catch (error) {
      // A schema stored before today's checks at registration, or a loop that only some payloads reach.
      const why = error instanceof InvalidSchemaError ? error.message : describeEvaluationError(error);
      const message = `the schema of event type ${eventType} is unusable: ${why}; fix the event type`;
      throw new HttpError('payload_schema_mismatch', message, [{ field: 'payload', message }]);
    }
    if (valid) return;
    const errors = (validate.errors ?? []).slice(0, 10).map(fieldOf);
    const first = errors[0] ?? { field: 'payload', message: 'does not match the schema' };
    throw new HttpError(
      'payload_schema_mismatch',
      `${first.field}: ${first.message} (schema of event type ${eventType})`,
      errors,
    );
  }
}
