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

/** What an attempt of `retryUntil` answers to be made again. */
export const AGAIN = Symbol('again');

/**
 * `attempt()`'s answer once it is not AGAIN, asked again after pauses doubling from `pauses.first` to
 * `pauses.max` ms, the last time at `deadline` (ms since the epoch); past it, `expired()` is thrown.
 */
export async function retryUntil<T>(
  deadline: number,
  pauses: { first: number; max: number },
  attempt: () => Promise<T | typeof AGAIN>,
  expired: () => Error,
): Promise<T> {
  for (let pause = pauses.first; ; pause = Math.min(pause * 2, pauses.max)) {
    const answer = await attempt();
    if (answer !== AGAIN) return answer;
    const left = deadline - Date.now();
    if (left <= 0) throw expired();
    await new Promise((resolve) => setTimeout(resolve, Math.min(pause, left)));
  }
}
