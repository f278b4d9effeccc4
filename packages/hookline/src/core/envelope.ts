/**
 * The exact bytes a receiver gets and the signature covers: `{"type","timestamp","data"}`.
 * `payloadJson` is already-serialised JSON (stored as text), so retries send identical bytes.
 */
export function envelopeBody(eventType: string, timestampMs: number, payloadJson: string): string {
  return `{"type":${JSON.stringify(eventType)},"timestamp":"${new Date(timestampMs).toISOString()}","data":${payloadJson}}`;
}

/** `^[a-zA-Z0-9_.-]{1,256}$` (CONTRACT.md, "Messages"). */
export const EVENT_TYPE_PATTERN = /^[a-zA-Z0-9_.-]{1,256}$/;

/** An endpoint with an empty filter takes every event type. */
export function endpointWantsEvent(filter: readonly string[], eventType: string): boolean {
  return filter.length === 0 || filter.includes(eventType);
}
