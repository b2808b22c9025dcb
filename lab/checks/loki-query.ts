// Loki's HTTP query API, the one call the exercises make: GET /loki/api/v1/query_range with a
// LogQL log query → the matching lines with their stream labels. Times are Unix nanoseconds (as
// strings: they do not fit a double).
import { apiUrl, getJson, QueryError } from './http-json.ts';

export interface LokiLine {
  /** The stream's labels (what the log shipper attached: namespace, pod, container, app …). */
  labels: Record<string, string>;
  /** Unix nanoseconds. */
  tsNs: string;
  line: string;
}

export interface LokiRange {
  query: string;
  /** Epoch milliseconds; sent as nanoseconds. */
  startMs: number;
  endMs: number;
  /** Most lines Loki returns (its default is 100; its max_entries_limit_per_query default 5000). */
  limit: number;
  direction?: 'forward' | 'backward';
}

interface LokiAnswer {
  status?: string;
  data?: { resultType?: string; result?: Array<{ stream?: Record<string, string>; values?: Array<[string, string]> }> };
}

export const msToNs = (ms: number): string => `${BigInt(Math.round(ms)) * 1_000_000n}`;

export async function lokiQueryRange(base: string, r: LokiRange, o: { timeoutMs?: number } = {}): Promise<LokiLine[]> {
  const url = apiUrl(base, '/loki/api/v1/query_range', {
    query: r.query, start: msToNs(r.startMs), end: msToNs(r.endMs), limit: r.limit, direction: r.direction ?? 'forward',
  });
  const { status, json } = await getJson(url, { timeoutMs: o.timeoutMs });
  const a = json as LokiAnswer | undefined;
  if (a?.status !== 'success') throw new QueryError(url, status, `GET ${url} → HTTP ${status}: status ${JSON.stringify(a?.status)}`);
  if (a.data?.resultType !== 'streams' || !Array.isArray(a.data.result)) {
    throw new QueryError(url, status, `GET ${url}: expected resultType "streams" (a log query), got ${JSON.stringify(a.data?.resultType)}`);
  }
  return a.data.result.flatMap((s) => (s.values ?? []).map(([tsNs, line]) => ({ labels: s.stream ?? {}, tsNs, line })));
}
