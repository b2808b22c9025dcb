// The forward supervisor against a fake spawner (children that drop, hang, or cannot start) and a
// fake clock (virtual time: a sleep advances it at once). No kubectl, no real waiting.
// Each property is a check function run against the real supervisor AND against a broken stand-in
// (never restarts / restarts after stop / no backoff), to show the check can fail.
import test from 'ava';
import {
  BACKOFF,
  STOP_SETTLE_MS,
  backoffDelay,
  superviseForward,
  type ForwardChild,
  type ForwardEnd,
  type ForwardExit,
  type SupervisedForward,
  type SupervisorClock,
  type SupervisorOptions,
} from '../../lab/forward-supervisor.ts';
import { seededRandom } from '../seeded-random.ts';

/** What one spawned child does: end by itself after `runMs` of virtual time with `exit`, or run until killed. */
type Script = { runMs: number; exit: ForwardExit } | { hold: true };

class FakeClock implements SupervisorClock {
  t = 0;
  readonly sleeps: number[] = [];
  now = () => this.t;
  async sleep(ms: number, signal: AbortSignal) {
    this.sleeps.push(ms);
    if (!signal.aborted) this.t += ms;
  }
}

class FakeSpawner {
  readonly argvs: string[][] = [];
  kills = 0;
  constructor(private readonly clock: FakeClock, private readonly scripts: Script[], private readonly fallback: Script = { hold: true }) {}
  spawn = (argv: string[]): ForwardChild => {
    const script = this.scripts[this.argvs.length] ?? this.fallback;
    this.argvs.push(argv);
    let release!: (e: ForwardExit) => void;
    const exited = new Promise<ForwardExit>((r) => (release = r));
    if (!('hold' in script))
      setImmediate(() => {
        this.clock.t += script.runMs;
        release(script.exit);
      });
    return {
      exited,
      kill: () => {
        this.kills++;
        if ('hold' in script) release({ code: null, signal: 'SIGTERM' });
      },
    };
  };
}

type Supervise = (f: SupervisedForward, o: SupervisorOptions) => Promise<ForwardEnd>;

function setup(scripts: Script[], opts: { exists?: () => Promise<boolean | undefined>; fallback?: Script } = {}) {
  const clock = new FakeClock();
  const spawner = new FakeSpawner(clock, scripts, opts.fallback);
  const logs: string[] = [];
  const abort = new AbortController();
  const forward: SupervisedForward = { name: 'grafana', argv: ['kubectl', 'port-forward', 'svc/g', '8000:80'], service: 'monitoring/g', serviceExists: opts.exists ?? (async () => true) };
  const options: SupervisorOptions = { spawn: spawner.spawn, clock, log: (l) => logs.push(l), signal: abort.signal };
  return { clock, spawner, logs, abort, forward, options };
}

/** Let the fake children's setImmediate exits and the supervisor's awaits run. */
const settle = async (rounds = 20) => {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
};

const drop = (code = 1, runMs = 0): Script => ({ runMs, exit: { code, signal: null } });

/** A dropped forward is started again, and the drop is logged with its exit code and delay. */
async function restartProblems(supervise: Supervise): Promise<string[]> {
  const s = setup([drop(1)]);
  const done = supervise(s.forward, s.options);
  await settle();
  const problems: string[] = [];
  if (s.spawner.argvs.length !== 2) problems.push(`spawned ${s.spawner.argvs.length} times, want 2 (the drop restarted)`);
  if (!s.logs.includes('grafana: forward ended (exit 1), reconnecting in 1s')) problems.push(`log: ${JSON.stringify(s.logs)}`);
  if (s.spawner.argvs[1]?.join(' ') !== s.forward.argv.join(' ')) problems.push('restart used another argv');
  s.abort.abort();
  await done;
  return problems;
}

/** After stop, the running child is killed, nothing starts again (not even a Service lookup), and
 * the end is "stopped". */
async function stopProblems(supervise: Supervise): Promise<string[]> {
  let lookups = 0;
  const s = setup([drop(1)], { exists: async () => (lookups++, true) });
  const done = supervise(s.forward, s.options);
  await settle();
  const before = s.spawner.argvs.length;
  const lookupsBefore = lookups;
  s.abort.abort();
  const end = await done;
  await settle();
  const problems: string[] = [];
  if (lookups !== lookupsBefore) problems.push('looked the Service up after stop');
  if (s.spawner.kills < 1) problems.push('the running child was not killed');
  if (s.spawner.argvs.length !== before) problems.push(`spawned again after stop (${before} → ${s.spawner.argvs.length})`);
  if (end.reason !== 'stopped') problems.push(`ended ${end.reason}`);
  return problems;
}

/** A stop that lands while the supervisor waits out a backoff starts nothing. */
async function stopDuringBackoffProblems(supervise: Supervise): Promise<string[]> {
  const s = setup([drop(1)]);
  const realSleep = s.clock.sleep.bind(s.clock);
  s.clock.sleep = async (ms, signal) => {
    s.abort.abort(); // Ctrl-C arrives during the wait
    return realSleep(ms, signal);
  };
  const end = await supervise(s.forward, s.options);
  await settle();
  return s.spawner.argvs.length === 1 && end.reason === 'stopped' ? [] : [`spawned ${s.spawner.argvs.length}, ended ${end.reason}`];
}

/** Drops in a row wait 1, 2, 4, 8, 10, 10 s; a forward that ran ≥ 30 s starts the sequence over. */
async function backoffProblems(supervise: Supervise): Promise<string[]> {
  const s = setup([drop(1), drop(1), drop(1), drop(1), drop(1), drop(1), drop(1, 30_000), drop(1, 29_999), drop(1)]);
  const done = supervise(s.forward, s.options);
  await settle(60);
  s.abort.abort();
  await done;
  const want = [1000, 2000, 4000, 8000, 10_000, 10_000, 1000, 2000, 4000];
  return JSON.stringify(s.clock.sleeps) === JSON.stringify(want) ? [] : [`sleeps ${JSON.stringify(s.clock.sleeps)}, want ${JSON.stringify(want)}`];
}

// Broken stand-ins, each missing one behaviour.
const neverRestarts: Supervise = async (f, o) => {
  const c = o.spawn(f.argv, f.name);
  o.signal.addEventListener('abort', () => c.kill());
  await c.exited;
  return { name: f.name, reason: 'stopped' };
};
const ignoresStop: Supervise = async (f, o) => {
  for (let i = 0; i < 3; i++) {
    const c = o.spawn(f.argv, f.name);
    if (o.signal.aborted) c.kill();
    else o.signal.addEventListener('abort', () => c.kill(), { once: true });
    await c.exited;
    await o.clock.sleep(1000, o.signal);
  }
  return { name: f.name, reason: 'stopped' };
};
const noBackoff: Supervise = (f, o) => superviseForward(f, { ...o, backoff: { firstMs: 1000, maxMs: 1000, resetAfterMs: 30_000 } });
const neverResets: Supervise = (f, o) => superviseForward(f, { ...o, backoff: { ...BACKOFF, resetAfterMs: Infinity } });

test('a dropped forward is re-established (and a supervisor that never restarts fails the check)', async (t) => {
  t.deepEqual(await restartProblems(superviseForward), []);
  t.true((await restartProblems(neverRestarts)).length > 0);
});

test('stop kills the running forward and starts none again (and one that ignores stop fails)', async (t) => {
  t.deepEqual(await stopProblems(superviseForward), []);
  t.deepEqual(await stopDuringBackoffProblems(superviseForward), []);
  t.true((await stopProblems(ignoresStop)).length > 0);
  t.true((await stopDuringBackoffProblems(ignoresStop)).length > 0);
});

test('backoff 1, 2, 4, 8, 10, 10 s, reset after a forward ran 30 s (and flat or never-reset backoff fails)', async (t) => {
  t.deepEqual(await backoffProblems(superviseForward), []);
  t.true((await backoffProblems(noBackoff)).length > 0);
  t.true((await backoffProblems(neverResets)).length > 0);
});

test('backoffDelay: the documented sequence, capped', (t) => {
  t.deepEqual([0, 1, 2, 3, 4, 5, 50, 5000].map((a) => backoffDelay(a)), [1000, 2000, 4000, 8000, 10_000, 10_000, 10_000, 10_000]);
});

test('seeded random run times: every delay follows from how long the forward had run', async (t) => {
  const rnd = seededRandom(2026);
  const runs = Array.from({ length: 40 }, () => Math.floor(rnd() * 45_000));
  const s = setup(runs.map((ms) => drop(1 + Math.floor(rnd() * 2), ms))); // a lost stream: exit 1 (or another error)
  const done = superviseForward(s.forward, s.options);
  await settle(200);
  s.abort.abort();
  await done;
  let attempt = 0;
  const want = runs.map((ms) => {
    if (ms >= 30_000) attempt = 0;
    return Math.min(10_000, 1000 * 2 ** attempt++);
  });
  t.deepEqual(s.clock.sleeps, want);
  t.true(runs.some((ms) => ms >= 30_000) && runs.some((ms) => ms < 30_000), 'the seed exercises both cases');
});

test('a Service that is gone ends that forward, reported once, not retried', async (t) => {
  let lookups = 0;
  const s = setup([drop(1), drop(1)], { exists: async () => ++lookups < 2 });
  const end = await superviseForward(s.forward, s.options);
  t.deepEqual(end, { name: 'grafana', reason: 'service gone', detail: 'monitoring/g no longer exists' });
  t.is(s.spawner.argvs.length, 2, 'restarted after the first drop (Service there), not after the second (gone)');
  t.deepEqual(s.logs, ['grafana: forward ended (exit 1), reconnecting in 1s', 'grafana: forward ended (exit 1) and monitoring/g no longer exists; not reconnecting']);
});

test('a Service lookup that fails (API server away) is not "gone": the forward is retried', async (t) => {
  const s = setup([drop(1), drop(1)], {
    exists: async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:6443');
    },
  });
  const done = superviseForward(s.forward, s.options);
  await settle();
  t.is(s.spawner.argvs.length, 3);
  s.abort.abort();
  t.is((await done).reason, 'stopped');
});

test('a forward that cannot start at all is reported and not retried', async (t) => {
  const s = setup([{ runMs: 0, exit: { code: null, signal: null, error: 'spawn kubectl ENOENT' } }]);
  const end = await superviseForward(s.forward, s.options);
  t.is(end.reason, 'cannot start');
  t.is(s.spawner.argvs.length, 1);
  t.regex(s.logs.join('\n'), /grafana: could not start kubectl port-forward \(spawn kubectl ENOENT\); not retrying/);
});

test('a child killed by a signal is reported by the signal', async (t) => {
  const s = setup([{ runMs: 0, exit: { code: null, signal: 'SIGKILL' } }]);
  const done = superviseForward(s.forward, s.options);
  await settle();
  s.abort.abort();
  await done;
  t.is(s.logs[0], 'grafana: forward ended (signal SIGKILL), reconnecting in 1s');
});

test("Ctrl-C also reaches kubectl, which exits 0 first: that waits for our stop and prints no 'reconnecting'", async (t) => {
  const s = setup([drop(0)]);
  const realSleep = s.clock.sleep.bind(s.clock);
  s.clock.sleep = async (ms, signal) => {
    if (ms === STOP_SETTLE_MS) s.abort.abort(); // our SIGINT handler runs a moment after kubectl's exit
    return realSleep(ms, signal);
  };
  const end = await superviseForward(s.forward, s.options);
  t.is(end.reason, 'stopped');
  t.deepEqual(s.logs, []);
  t.is(s.spawner.argvs.length, 1);
});

test('an exit 0 with no stop behind it (someone killed kubectl) is still reconnected, after the settle', async (t) => {
  const s = setup([drop(0)]);
  const done = superviseForward(s.forward, s.options);
  await settle();
  s.abort.abort();
  await done;
  t.deepEqual(s.clock.sleeps, [STOP_SETTLE_MS, 1000]);
  t.deepEqual(s.logs, ['grafana: forward ended (exit 0), reconnecting in 1s']);
  t.is(s.spawner.argvs.length, 2);
});
