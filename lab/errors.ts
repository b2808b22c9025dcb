// Error types rendered once at the top of the CLI (scripts/main.ts).

/** Bad usage or configuration: exit 2. Carries every problem at once. */
export class UsageError extends Error {
  readonly problems: string[];
  constructor(problems: string[] | string, readonly hint?: string) {
    const list = Array.isArray(problems) ? problems : [problems];
    super(list.length === 1 ? list[0] : `${list.length} problems:\n${list.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'UsageError';
    this.problems = list;
  }
}

/** A failure while doing the work: exit 1. `cause` keeps the lower error for --verbose. */
export class LabError extends Error {
  constructor(message: string, options?: { cause?: unknown; detail?: string }) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'LabError';
    this.detail = options?.detail;
  }
  readonly detail?: string;
}

/** A CLI the provider needs is not installed (so nothing it would manage can exist through it). */
export class ToolMissingError extends LabError {
  constructor(readonly tool: string) {
    super(`${tool} is not installed (run: npm run lab -- doctor --install)`);
    this.name = 'ToolMissingError';
  }
}

/** Wrap an error with what we were doing, keeping the original as `cause`. */
export function wrap(what: string, err: unknown): LabError {
  const msg = err instanceof Error ? err.message : String(err);
  if (err instanceof UsageError) return err as unknown as LabError;
  return new LabError(`${what}: ${msg}`, { cause: err, detail: err instanceof LabError ? err.detail : undefined });
}

export function exitCodeFor(err: unknown): number {
  return err instanceof UsageError ? 2 : 1;
}
