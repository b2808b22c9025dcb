// An in-cluster Service reached from here for as long as an exercise runs: `kubectl port-forward
// --address 127.0.0.1 svc/NAME 0:PORT` (argv array; kubectl picks a free local port and prints it),
// kept open and closed when the run ends. One forward per Service, started on first use; one
// whose kubectl has exited (its pod restarted) is started again on the next use.
import { spawn, type ChildProcess } from 'node:child_process';
import { LabError } from '../errors.ts';

/** kubectl's line once it listens: "Forwarding from 127.0.0.1:43567 -> 9090". */
const FORWARDING = /Forwarding from 127\.0\.0\.1:(\d+) -> (\d+)/;
export const FORWARD_START_TIMEOUT_MS = 30_000;

export interface Forward {
  localPort: number;
  child: ChildProcess;
}

function tail(text: string, lines = 8): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

/** Start one port-forward; resolves once kubectl says where it listens. */
export function startForward(argv: string[], timeoutMs = FORWARD_START_TIMEOUT_MS): Promise<Forward> {
  const shown = argv.join(' ');
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      reject(new LabError(`could not start ${shown}: ${(err as Error).message}`));
      return;
    }
    let out = '';
    let err = '';
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const timer = setTimeout(() => settle(() => {
      child.kill('SIGTERM');
      reject(new LabError(`${shown}: no "Forwarding from 127.0.0.1:…" within ${timeoutMs} ms`, { detail: tail(`${out}\n${err}`) }));
    }), timeoutMs);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = FORWARDING.exec(out);
      if (m) settle(() => resolve({ localPort: Number(m[1]), child }));
    });
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', (e) => settle(() => reject(new LabError(`could not run ${shown}: ${e.message}`))));
    child.on('exit', (code, signal) => settle(() => reject(new LabError(`${shown} exited ${code ?? signal} before forwarding`, { detail: tail(err || out) }))));
  });
}

const running = (c: ChildProcess) => c.exitCode === null && c.signalCode === null;
const KILL_AFTER_MS = 3000;

/** SIGTERM, then SIGKILL if kubectl is still there after a few seconds; resolves when it is gone. */
function stop(c: ChildProcess): Promise<void> {
  if (!running(c)) return Promise.resolve();
  const gone = new Promise<void>((resolve) => c.once('exit', () => resolve()));
  c.kill('SIGTERM');
  const hard = setTimeout(() => c.kill('SIGKILL'), KILL_AFTER_MS);
  hard.unref();
  return gone.finally(() => clearTimeout(hard));
}

/** The forwards of one run, keyed by what they reach. close() ends every one (safe to call twice). */
export class ForwardSet {
  private readonly forwards = new Map<string, Promise<Forward>>();
  private readonly children = new Set<ChildProcess>();
  /** If the process exits without close() (a second Ctrl-C), kubectl must not be left behind. */
  private readonly onExit = () => {
    for (const c of this.children) if (running(c)) c.kill('SIGTERM');
  };

  constructor(private readonly start: (argv: string[]) => Promise<Forward> = startForward) {}

  /** The local port for `key`, (re)starting `argv` when there is no live forward. */
  async port(key: string, argv: string[]): Promise<number> {
    const existing = this.forwards.get(key);
    if (existing) {
      const f = await existing.catch(() => undefined);
      if (f && running(f.child)) return f.localPort;
      if (f) this.children.delete(f.child);
    }
    if (this.children.size === 0 && this.forwards.size === 0) process.once('exit', this.onExit);
    const next = this.start(argv);
    this.forwards.set(key, next);
    next.then((f) => this.children.add(f.child), () => this.forwards.delete(key));
    return (await next).localPort;
  }

  /** Forwards started and not yet closed (live or not). */
  get size(): number {
    return this.forwards.size;
  }

  async close(): Promise<void> {
    process.removeListener('exit', this.onExit);
    const pending = [...this.forwards.values()];
    this.forwards.clear();
    const started = await Promise.all(pending.map((p) => p.catch(() => undefined)));
    for (const f of started) if (f) this.children.add(f.child);
    await Promise.all([...this.children].map(stop));
    this.children.clear();
  }
}
