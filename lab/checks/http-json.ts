// One GET of a JSON query API (Prometheus, Loki, Jaeger), with a timeout, and errors that say
// which URL answered what: the HTTP status and the start of the body, or why nothing came back.
import { request } from 'undici';
import { LabError } from '../errors.ts';

export const QUERY_TIMEOUT_MS = 10_000;
const EXCERPT_CHARS = 300;

export class QueryError extends LabError {
  constructor(readonly url: string, readonly status: number | null, message: string) {
    super(message);
    this.name = 'QueryError';
  }
}

export interface JsonAnswer {
  status: number;
  /** undefined when the body is not JSON (allowed only for the statuses in `expectStatus`). */
  json: unknown;
  text: string;
}

export function excerpt(text: string, max = EXCERPT_CHARS): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}… (${flat.length} chars)` : flat;
}

/** A URL with its query string, shortened for a message (LogQL and PromQL can be long). */
function shown(url: string): string {
  return url.length > 400 ? `${url.slice(0, 400)}…` : url;
}

/**
 * GET `url` and parse its JSON. Any status other than 2xx and `expectStatus` (e.g. Jaeger's 404
 * "trace not found") is a QueryError naming the URL, the status and a body excerpt; so is a
 * transport error, a timeout, or a 2xx body that is not JSON.
 */
export async function getJson(url: string, o: { timeoutMs?: number; expectStatus?: number[] } = {}): Promise<JsonAnswer> {
  const timeoutMs = o.timeoutMs ?? QUERY_TIMEOUT_MS;
  let status: number;
  let text: string;
  try {
    const res = await request(url, { method: 'GET', headers: { accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs), headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
    status = res.statusCode;
    text = await res.body.text();
  } catch (err) {
    const e = err as { name?: string; code?: string; message?: string };
    const why = e.name === 'TimeoutError' || e.name === 'AbortError' || e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT'
      ? `no answer within ${timeoutMs} ms` : `${e.code ?? e.name ?? 'error'}: ${e.message ?? String(err)}`;
    throw new QueryError(url, null, `GET ${shown(url)}: ${why}`);
  }
  const expected = (status >= 200 && status < 300) || (o.expectStatus ?? []).includes(status);
  if (!expected) throw new QueryError(url, status, `GET ${shown(url)} → HTTP ${status}: ${excerpt(text) || '(empty body)'}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    if (status >= 200 && status < 300) throw new QueryError(url, status, `GET ${shown(url)} → HTTP ${status}, but the body is not JSON: ${excerpt(text) || '(empty body)'}`);
  }
  return { status, json, text };
}

/** `base` + `path` + query parameters, with a single slash between base and path. */
export function apiUrl(base: string, path: string, params: Record<string, string | number | undefined> = {}): string {
  const u = new URL(`${base.replace(/\/+$/, '')}${path}`);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, String(v));
  return u.toString();
}
