// Every shell-out goes through a Runner: argv arrays only, never a command string.
// The real runner uses zx `$` with nothrow, so a non-zero exit is an answer, not an exception.
// RecordingRunner is the test fake: it records argv/stdin/env and replies from a script.
import { $ } from 'zx';
import { LabError } from './errors.ts';

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  input?: string;
  timeoutMs?: number;
  /** Stream output to the terminal (long-running tools); otherwise captured. */
  inherit?: boolean;
  /** Hand the terminal over (stdin too), e.g. for `kubectl exec -it`. */
  interactive?: boolean;
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface Runner {
  run(cmd: string, args: string[], opts?: RunOptions): Promise<RunResult>;
}

export class ZxRunner implements Runner {
  constructor(private readonly verbose = false) {}

  async run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
    const env = { ...process.env, ...opts.env } as NodeJS.ProcessEnv;
    if (this.verbose) process.stderr.write(`$ ${[cmd, ...args].join(' ')}\n`);
    const p = $({
      cwd: opts.cwd,
      env,
      input: opts.input,
      nothrow: true,
      quiet: !opts.inherit && !opts.interactive,
      timeout: opts.timeoutMs,
      stdio: opts.interactive ? 'inherit' : opts.inherit ? ['pipe', 'inherit', 'inherit'] : undefined,
    })`${cmd} ${args}`;
    try {
      const out = await p;
      return { exitCode: out.exitCode ?? 1, stdout: out.stdout, stderr: out.stderr };
    } catch (err) {
      throw new LabError(`could not run ${cmd}`, { cause: err });
    }
  }
}

/** Run and insist on exit 0; the error names the command and carries its output. */
export async function mustRun(runner: Runner, cmd: string, args: string[], opts?: RunOptions): Promise<RunResult> {
  const res = await runner.run(cmd, args, opts);
  if (res.exitCode !== 0) {
    const out = (res.stderr || res.stdout).trim().split('\n').slice(-15).join('\n');
    throw new LabError(`${cmd} ${args.slice(0, 3).join(' ')} exited ${res.exitCode}`, { detail: out });
  }
  return res;
}

export interface RecordedCall {
  cmd: string;
  args: string[];
  opts: RunOptions;
}

type Reply = Partial<RunResult> | ((call: RecordedCall) => Partial<RunResult>);

/** Test fake: records every call; replies come from the first matching rule, else exit 0. */
export class RecordingRunner implements Runner {
  readonly calls: RecordedCall[] = [];
  private readonly rules: Array<{ match: (c: RecordedCall) => boolean; reply: Reply }> = [];

  on(match: string | ((c: RecordedCall) => boolean), reply: Reply): this {
    const fn = typeof match === 'string' ? (c: RecordedCall) => [c.cmd, ...c.args].join(' ').startsWith(match) : match;
    this.rules.push({ match: fn, reply });
    return this;
  }

  async run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
    const call = { cmd, args: [...args], opts };
    this.calls.push(call);
    const rule = this.rules.find((r) => r.match(call));
    const r = rule ? (typeof rule.reply === 'function' ? rule.reply(call) : rule.reply) : {};
    return { exitCode: r.exitCode ?? 0, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  }

  argvs(): string[][] {
    return this.calls.map((c) => [c.cmd, ...c.args]);
  }
}
