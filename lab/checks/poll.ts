// "Until the predicate holds or the deadline passes": for data that shows up some time after the
// event that produced it (a log line in Loki, a span in Jaeger, a counter in Prometheus). Unlike
// pollUntil (lab/exercises/exercise-helpers.ts), a probe that throws is one more attempt, not the
// end: a query API that answers 503 while it starts, or a port-forward that is being replaced,
// must not end the wait; the last error is kept for the report. The clock starts at `since` (when
// the data was produced), and one last probe runs at the deadline, so "late" means late.
export interface PollOptions {
  /** How long after `since` the predicate may take to hold. */
  deadlineMs: number;
  /** Pause between attempts (the last pause is cut short at the deadline). */
  everyMs: number;
  /** Epoch ms the deadline counts from. Default: when pollFor is called. */
  since?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface PollResult<T> {
  /** The last value a probe returned (undefined if every probe threw). */
  value: T | undefined;
  /** The predicate held on a probe that started within the deadline. */
  ok: boolean;
  /** From `since` until the probe that saw it hold returned (or until the last probe). */
  elapsedMs: number;
  attempts: number;
  /** The message of the last probe that threw, if the last probe threw. */
  lastError?: string;
  /** Probes that threw, in all. */
  errors: number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function pollFor<T>(probe: (attempt: number) => Promise<T>, holds: (v: T) => boolean, o: PollOptions): Promise<PollResult<T>> {
  if (!(o.deadlineMs >= 0) || !(o.everyMs > 0)) throw new RangeError(`pollFor: deadlineMs must be >= 0 and everyMs > 0, got ${o.deadlineMs} and ${o.everyMs}`);
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? defaultSleep;
  const since = o.since ?? now();
  let value: T | undefined;
  let lastError: string | undefined;
  let attempts = 0;
  let errors = 0;
  for (;;) {
    const startedAt = now() - since;
    attempts++;
    try {
      value = await probe(attempts);
      lastError = undefined;
      if (holds(value) && startedAt <= o.deadlineMs) return { value, ok: true, elapsedMs: now() - since, attempts, errors };
    } catch (err) {
      errors++;
      lastError = (err as Error)?.message ?? String(err);
    }
    const left = o.deadlineMs - (now() - since);
    if (left <= 0) return { value, ok: false, elapsedMs: now() - since, attempts, errors, ...(lastError ? { lastError } : {}) };
    await sleep(Math.min(o.everyMs, left));
  }
}
