// Bounded HTTP load generator used by every check: fixed request budget,
// bounded concurrency, optional pacing, per-request timeout and a total deadline.
import { Pool } from 'undici';
import { performance } from 'node:perf_hooks';

/** A fixed sample's overall deadline: 4× what n requests at their timeout take `concurrency` at a
 * time, at least a minute — a guard against a hang, far beyond a healthy run. */
export function sampleDeadlineMs(n: number, timeoutMs: number, concurrency: number): number {
  return Math.max(60_000, (4 * n * timeoutMs) / concurrency);
}

/** The header sendIndex uses. */
export const REQUEST_INDEX_HEADER = 'x-lab-request';

export interface LoadOptions {
  url: string;
  /** Upper bound on requests sent. */
  requests: number;
  /** Max requests in flight (also the pool's connection count). */
  concurrency: number;
  /** Per-request timeout covering connect, headers and body. Default 5000. */
  timeoutMs?: number;
  /** TCP/TLS connect timeout. Default min(3000, 0.9·timeoutMs) so it fires before the request timeout. */
  connectTimeoutMs?: number;
  /** Stop launching (and abort in-flight requests) this long after start. Default: none. */
  deadlineMs?: number;
  /** Reuse connections between requests. Default true. */
  keepAlive?: boolean;
  /** Start request i no earlier than start + i·intervalMs. Default 0 (as fast as allowed). */
  intervalMs?: number;
  method?: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';
  headers?: Record<string, string>;
  /** Send each request's launch index in the header x-lab-request (it names the request in
   * access logs; a seeded fake peer decides per request by it, whatever the arrival order). */
  sendIndex?: boolean;
  /** Response headers to record (case-insensitive). */
  captureHeaders?: string[];
  /** Keep the first N characters of the body (0 = drain and discard). Default 0. */
  bodySnippetChars?: number;
  /** Called for every result in completion order; return true to stop launching more requests. */
  until?: (result: RequestResult, done: readonly RequestResult[]) => boolean;
}

export interface RequestResult {
  /** Launch order, 0-based. */
  index: number;
  /** Launch time relative to the start of the run. */
  startedAtMs: number;
  /** Time until the body was fully read (or until the error). */
  latencyMs: number;
  status: number | null;
  /** Captured headers, lower-case names; absent headers are omitted. */
  headers: Record<string, string>;
  body?: string;
  /** ECONNREFUSED, ETIMEDOUT, DEADLINE, … when no complete response was received. */
  errorCode?: string;
  errorMessage?: string;
}

export interface LoadRun {
  results: RequestResult[];
  elapsedMs: number;
  stoppedBy: 'count' | 'deadline' | 'until';
}

/** Error codes meaning "nothing is listening / reachable there" rather than a bad answer. */
export const CONNECTION_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'EADDRNOTAVAIL',
]);

export class TargetUnreachableError extends Error {
  constructor(readonly url: string, readonly code: string, detail?: string) {
    super(`cannot reach ${url} (${code}${detail ? `: ${detail}` : ''}) — is the port-forward/ingress up?`);
    this.name = 'TargetUnreachableError';
  }
}

const DEFAULT_TIMEOUT_MS = 5000;

export function parseTargetUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`--url: not a valid URL: ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TypeError(`--url: only http:// and https:// are supported, got ${parsed.protocol}`);
  }
  return parsed;
}

function errorCodeOf(err: unknown): string {
  const e = err as { code?: unknown; errors?: unknown[]; cause?: unknown; name?: unknown };
  if (typeof e?.code === 'string') return e.code;
  if (Array.isArray(e?.errors) && e.errors.length > 0) return errorCodeOf(e.errors[0]);
  if (e?.cause) return errorCodeOf(e.cause);
  return typeof e?.name === 'string' ? e.name : 'UNKNOWN';
}

function validate(opts: LoadOptions): void {
  const positiveInt = (name: string, v: number) => {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`http-load: ${name} must be a positive integer, got ${v}`);
  };
  positiveInt('requests', opts.requests);
  positiveInt('concurrency', opts.concurrency);
  for (const [name, v] of [['timeoutMs', opts.timeoutMs], ['connectTimeoutMs', opts.connectTimeoutMs], ['deadlineMs', opts.deadlineMs], ['intervalMs', opts.intervalMs]] as const) {
    if (v !== undefined && (!Number.isFinite(v) || v < 0)) throw new RangeError(`http-load: ${name} must be >= 0, got ${v}`);
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Send up to `requests` requests; never throws for per-request failures (they are results). */
export async function sendRequests(opts: LoadOptions): Promise<LoadRun> {
  validate(opts);
  const target = parseTargetUrl(opts.url);
  const keepAlive = opts.keepAlive ?? true;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const capture = (opts.captureHeaders ?? []).map((h) => h.toLowerCase());
  const snippetChars = opts.bodySnippetChars ?? 0;
  const pool = new Pool(target.origin, {
    connections: opts.concurrency,
    pipelining: keepAlive ? 1 : 0,
    connect: { timeout: opts.connectTimeoutMs ?? Math.max(1, Math.min(3000, Math.floor(timeoutMs * 0.9))) },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  const path = `${target.pathname}${target.search}`;
  const start = performance.now();
  const deadlineAt = opts.deadlineMs === undefined ? Infinity : start + opts.deadlineMs;
  const results: RequestResult[] = [];
  let next = 0;
  let stoppedBy: LoadRun['stoppedBy'] = 'count';
  let stop = false;

  async function one(index: number): Promise<RequestResult> {
    const t0 = performance.now();
    const startedAtMs = t0 - start;
    const controller = new AbortController();
    const budget = Math.min(timeoutMs, deadlineAt - t0);
    const timedOutBy = budget < timeoutMs ? 'DEADLINE' : 'ETIMEDOUT';
    const timer = setTimeout(() => controller.abort(), Math.max(0, budget));
    try {
      const res = await pool.request({
        path, method: opts.method ?? 'GET', headers: opts.sendIndex ? { ...opts.headers, [REQUEST_INDEX_HEADER]: String(index) } : opts.headers, signal: controller.signal, reset: !keepAlive,
      });
      const headers: Record<string, string> = {};
      for (const name of capture) {
        const v = res.headers[name];
        if (v !== undefined) headers[name] = Array.isArray(v) ? v.join(', ') : v;
      }
      let body: string | undefined;
      if (snippetChars > 0) {
        body = '';
        for await (const chunk of res.body) {
          if (body.length < snippetChars) body += (chunk as Buffer).toString('utf8');
        }
        body = body.slice(0, snippetChars);
      } else {
        await res.body.dump({ limit: Number.MAX_SAFE_INTEGER });
      }
      return { index, startedAtMs, latencyMs: performance.now() - t0, status: res.statusCode, headers, body };
    } catch (err) {
      const aborted = controller.signal.aborted;
      const errorCode = aborted ? timedOutBy : errorCodeOf(err);
      const errorMessage = aborted ? `no complete response within ${Math.round(budget)} ms` : (err as Error)?.message ?? String(err);
      return { index, startedAtMs, latencyMs: performance.now() - t0, status: null, headers: {}, errorCode, errorMessage };
    } finally {
      clearTimeout(timer);
    }
  }

  async function worker(): Promise<void> {
    while (!stop && next < opts.requests) {
      const index = next++;
      if (opts.intervalMs) {
        // Timers have 1 ms granularity and may fire a fraction early: loop until due.
        const due = start + index * opts.intervalMs;
        for (let wait = due - performance.now(); wait > 0; wait = due - performance.now()) await sleep(Math.ceil(wait));
      }
      if (stop) return;
      if (performance.now() >= deadlineAt) {
        stop = true;
        stoppedBy = 'deadline';
        return;
      }
      const result = await one(index);
      results.push(result);
      if (opts.until && !stop && opts.until(result, results)) {
        stop = true;
        stoppedBy = 'until';
      }
      if (result.errorCode === 'DEADLINE' && !stop) {
        stop = true;
        stoppedBy = 'deadline';
      }
    }
  }

  try {
    await Promise.all(Array.from({ length: Math.min(opts.concurrency, opts.requests) }, () => worker()));
  } finally {
    await pool.destroy().catch(() => undefined);
  }
  results.sort((a, b) => a.index - b.index);
  return { results, elapsedMs: performance.now() - start, stoppedBy };
}

/**
 * One request to prove the target answers at all. Throws TargetUnreachableError on
 * connection-level failures (refused, DNS, unreachable, connect timeout) so a missing
 * port-forward fails in about a second instead of producing a sample of errors.
 */
export async function assertReachable(url: string, timeoutMs = 2000, headers?: Record<string, string>): Promise<RequestResult> {
  const { results } = await sendRequests({ url, requests: 1, concurrency: 1, timeoutMs, headers, keepAlive: false });
  const r = results[0];
  if (r.errorCode && CONNECTION_ERROR_CODES.has(r.errorCode)) throw new TargetUnreachableError(url, r.errorCode);
  return r;
}

/** Short reason for a failed request: "http 503" or the error code. */
export function failureReason(r: RequestResult): string {
  return r.errorCode ?? `http ${r.status}`;
}
