// Keeps each `kubectl port-forward` running: when one ends (its pod restarted, the API server
// dropped the stream), that one forward is started again after a short backoff, while the others
// keep running. Stopping (Ctrl-C) ends every forward and starts none again.
//
// Decisions:
// - Backoff 1 s, 2 s, 4 s, 8 s, then 10 s; back to 1 s once a forward has run ≥ 30 s (it was
//   healthy, so the next drop is a new incident, not the same crash loop).
// - After every drop the Service is looked up. Gone (the release was uninstalled, the profile
//   changed) → that forward is reported and not started again. Unknown (the API server does not
//   answer, e.g. while the cluster restarts) → retried with the backoff like any other drop.
// - A forward whose process cannot be started at all (no kubectl) is reported and not retried.
// - Ctrl-C in a terminal reaches kubectl too (same process group), and kubectl then exits 0. Such an
//   exit (0, or SIGINT/SIGTERM/SIGHUP) waits STOP_SETTLE_MS for our own stop before it counts as
//   a drop, so Ctrl-C never prints "reconnecting". A dropped stream exits 1 and is not delayed.
// - The spawner and the clock are injected: tests drive this without kubectl or real time.

export interface ForwardExit {
  code: number | null;
  signal: string | null;
  /** Set when the process could not be started at all (e.g. ENOENT). */
  error?: string;
}

export interface ForwardChild {
  exited: Promise<ForwardExit>;
  kill(): void;
}

export type ForwardSpawner = (argv: string[], name: string) => ForwardChild;

export interface SupervisorClock {
  now(): number;
  /** Resolves after `ms`, or as soon as `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export interface BackoffPolicy {
  firstMs: number;
  maxMs: number;
  /** A forward that ran this long resets the backoff. */
  resetAfterMs: number;
}

export const BACKOFF: BackoffPolicy = { firstMs: 1000, maxMs: 10_000, resetAfterMs: 30_000 };
export const STOP_SETTLE_MS = 300;

/** kubectl port-forward ends 0 only when told to stop (a lost connection is exit 1). */
const looksStopped = (e: ForwardExit) => e.code === 0 || ['SIGINT', 'SIGTERM', 'SIGHUP'].includes(e.signal ?? '');

/** Delay before restart number `attempt` (0-based since the last reset): 1, 2, 4, 8, 10, 10 … s. */
export function backoffDelay(attempt: number, policy: BackoffPolicy = BACKOFF): number {
  return Math.min(policy.maxMs, policy.firstMs * 2 ** Math.min(attempt, 30));
}

export interface SupervisedForward {
  name: string;
  argv: string[];
  /** "ns/svc", for messages. */
  service: string;
  /** Does the Service still exist? undefined = could not tell. */
  serviceExists(): Promise<boolean | undefined>;
}

export type ForwardEnd = { name: string; reason: 'stopped' } | { name: string; reason: 'service gone' | 'cannot start'; detail: string };

export interface SupervisorOptions {
  spawn: ForwardSpawner;
  clock: SupervisorClock;
  log: (line: string) => void;
  signal: AbortSignal;
  backoff?: BackoffPolicy;
}

export const realClock: SupervisorClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    }),
};

function describeExit(e: ForwardExit): string {
  return e.signal ? `signal ${e.signal}` : `exit ${e.code}`;
}

/** Run one forward until stopped, restarting it whenever it ends. */
export async function superviseForward(f: SupervisedForward, opts: SupervisorOptions): Promise<ForwardEnd> {
  const { clock, signal } = opts;
  const policy = opts.backoff ?? BACKOFF;
  let attempt = 0;
  while (!signal.aborted) {
    const started = clock.now();
    const child = opts.spawn(f.argv, f.name);
    const stop = () => child.kill();
    signal.addEventListener('abort', stop, { once: true });
    const exit = await child.exited;
    signal.removeEventListener('abort', stop);
    if (signal.aborted) break;
    if (exit.error) {
      opts.log(`${f.name}: could not start kubectl port-forward (${exit.error}); not retrying`);
      return { name: f.name, reason: 'cannot start', detail: exit.error };
    }
    if (clock.now() - started >= policy.resetAfterMs) attempt = 0;
    if (looksStopped(exit)) await clock.sleep(STOP_SETTLE_MS, signal);
    if (signal.aborted) break;
    const exists = await f.serviceExists().catch(() => undefined);
    if (signal.aborted) break;
    if (exists === false) {
      opts.log(`${f.name}: forward ended (${describeExit(exit)}) and ${f.service} no longer exists; not reconnecting`);
      return { name: f.name, reason: 'service gone', detail: `${f.service} no longer exists` };
    }
    const delay = backoffDelay(attempt++, policy);
    opts.log(`${f.name}: forward ended (${describeExit(exit)}), reconnecting in ${delay / 1000}s`);
    await clock.sleep(delay, signal);
  }
  return { name: f.name, reason: 'stopped' };
}

/** Every forward at once; resolves when all have ended (stopped, or given up). */
export function superviseAll(forwards: SupervisedForward[], opts: SupervisorOptions): Promise<ForwardEnd[]> {
  return Promise.all(forwards.map((f) => superviseForward(f, opts)));
}
