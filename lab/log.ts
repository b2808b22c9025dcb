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

export function isInteractive(stream: NodeJS.WriteStream = process.stderr, env = process.env): boolean {
  return Boolean(stream.isTTY) && env.CI !== 'true' && env.CI !== '1' && env.TERM !== 'dumb';
}

export function createOutput(opts: { verbose: boolean; quiet?: boolean; stream?: NodeJS.WriteStream }): Output {
  const stream = opts.stream ?? process.stderr;
  const write = (line: string) => {
    stream.write(`${line}\n`);
  };
  const log: Log = {
    info: (m) => !opts.quiet && write(m),
    warn: (m) => write(`WARNING: ${m}`),
    debug: (m) => opts.verbose && write(`debug: ${m}`),
  };
  return { log, status: isInteractive(stream) ? new SpinnerStatus(stream) : new PlainStatus(write) };
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
    if (this.spinner?.isSpinning) this.spinner.stop();
    this.stream.write(` - ${msg}\n`);
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
