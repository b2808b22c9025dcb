// Prometheus's HTTP query API, the one call the exercises make: GET /api/v1/query (an instant
// query) → a vector of samples. `{"status":"error"}` answers and anything not a vector are errors
// that name the URL.
import { apiUrl, getJson, QueryError } from './http-json.ts';

export interface PromSample {
  metric: Record<string, string>;
  /** The sample's value (Prometheus sends it as a string: "12", "NaN", "+Inf"). */
  value: number;
  /** Unix seconds of the evaluation. */
  at: number;
}

interface PromAnswer {
  status?: string;
  errorType?: string;
  error?: string;
  data?: { resultType?: string; result?: Array<{ metric?: Record<string, string>; value?: [number, string] }> };
}

/** An instant query at `time` (unix seconds; default: now on the server). */
export async function promQuery(base: string, query: string, o: { timeoutMs?: number; time?: number } = {}): Promise<PromSample[]> {
  const url = apiUrl(base, '/api/v1/query', { query, time: o.time });
  // Prometheus answers a bad query with 400 and an error body: keep its message.
  const { status, json } = await getJson(url, { timeoutMs: o.timeoutMs, expectStatus: [400, 422] });
  const a = json as PromAnswer | undefined;
  if (a?.status !== 'success') throw new QueryError(url, status, `GET ${url} → HTTP ${status}: ${a?.errorType ?? 'error'}: ${a?.error ?? JSON.stringify(json)?.slice(0, 300)}`);
  if (a.data?.resultType !== 'vector' || !Array.isArray(a.data.result)) throw new QueryError(url, status, `GET ${url}: expected a vector, got ${a.data?.resultType ?? 'no data'}`);
  return a.data.result.map((r) => {
    if (!Array.isArray(r.value) || r.value.length !== 2) throw new QueryError(url, status, `GET ${url}: a sample without [time, value]: ${JSON.stringify(r)}`);
    return { metric: r.metric ?? {}, value: Number(r.value[1]), at: Number(r.value[0]) };
  });
}

/** The one value of a `sum(...)` query; null when no series matched (Prometheus returns []). */
export function singleValue(samples: PromSample[]): number | null {
  if (samples.length === 0) return null;
  if (samples.length > 1) throw new Error(`expected one sample, got ${samples.length}: ${samples.map((s) => JSON.stringify(s.metric)).join(', ')}`);
  return samples[0].value;
}
