/**
 * `work`'s outcome, or `late()`'s when `work` has not settled within `ms`: for callers that must answer in
 * time whatever they wait on (a health probe, a DNS lookup). The timer is cleared either way; `work` is
 * left to settle by itself (its rejection is handled by the race).
 */
export async function settleWithin<T>(work: Promise<T>, ms: number, late: () => T): Promise<T> {
  const LATE = Symbol('late');
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<typeof LATE>((resolve) => (timer = setTimeout(() => resolve(LATE), ms)));
  try {
    const first = await Promise.race([work, expired]);
    return first === LATE ? late() : first;
  } finally {
    clearTimeout(timer);
  }
}
