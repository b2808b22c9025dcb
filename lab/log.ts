// Logging and step status are separate: the log is for lines, the status for one step at a time.
// A spinner only on a real terminal (stderr TTY, not CI); plain " • msg" lines otherwise.
import ora, { type Ora } from 'ora';

export interface Log {
  info(msg: string): void;
  warn(msg: string): void;
  debug(msg: string): void;
}

export interface Status {
  start(msg: string): void;
  ok(msg?: string): void;
  fail(msg?: string): void;
  skip(msg: string): void;
}

export interface Output {
  log: Log;
  status: Status;
}

/** A spinner needs a real terminal with a width: a PTY reporting 0 columns (some CI runners,
 * `script`) would make it redraw without end, so that gets plain lines too. */
export function isInteractive(stream: NodeJS.WriteStream = process.stderr, env = process.env): boolean {
  return Boolean(stream.isTTY) && (stream.columns ?? 0) > 0 && env.CI !== 'true' && env.CI !== '1' && env.TERM !== 'dumb';
}

export function createOutput(opts: { verbose: boolean; quiet?: boolean; stream?: NodeJS.WriteStream }): Output {
  const stream = opts.stream ?? process.stderr;
  const spinner = isInteractive(stream) ? new SpinnerStatus(stream) : undefined;
  // A line logged while a spinner spins goes above it, not through it.
  const write = (line: string) => (spinner ? spinner.interject(line) : stream.write(`${line}\n`));
  const log: Log = {
    info: (m) => !opts.quiet && write(m),
    warn: (m) => write(`WARNING: ${m}`),
    debug: (m) => opts.verbose && write(`debug: ${m}`),
  };
  return { log, status: spinner ?? new PlainStatus(write) };
}

class PlainStatus implements Status {
  private current = '';
  constructor(private readonly write: (l: string) => void) {}
  start(msg: string) {
    this.current = msg;
    this.write(` • ${msg} ...`);
  }
  ok(msg?: string) {
    this.write(` ✓ ${msg ?? this.current}`);
  }
  fail(msg?: string) {
    this.write(` ✗ ${msg ?? this.current}`);
  }
  skip(msg: string) {
    this.write(` - ${msg}`);
  }
}

class SpinnerStatus implements Status {
  private spinner: Ora | undefined;
  constructor(private readonly stream: NodeJS.WriteStream) {}
  start(msg: string) {
    this.spinner = ora({ text: msg, stream: this.stream }).start();
  }
  ok(msg?: string) {
    this.spinner?.succeed(msg);
  }
  fail(msg?: string) {
    this.spinner?.fail(msg);
  }
  skip(msg: string) {
    this.interject(` - ${msg}`);
  }
  interject(line: string) {
    const spinning = this.spinner?.isSpinning;
    if (spinning) this.spinner!.clear();
    this.stream.write(`${line}\n`);
    if (spinning) this.spinner!.render();
  }
}

/** Collects lines, for tests. */
export function memoryOutput(): Output & { lines: string[] } {
  const lines: string[] = [];
  const push = (l: string) => lines.push(l);
  return {
    lines,
    log: { info: push, warn: (m) => push(`WARNING: ${m}`), debug: () => {} },
    status: new PlainStatus(push),
  };
}
