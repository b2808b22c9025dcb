// Jaeger v2's HTTP query API (the one its UI uses, served by the jaeger_query extension under
// /api), the one call the exercises make: GET /api/traces/{traceID} → the trace's spans, each with
// the service name of the process that reported it. 404 "trace not found" is an answer (undefined),
// not an error.
import { apiUrl, getJson, QueryError } from './http-json.ts';

export interface JaegerSpan {
  traceId: string;
  spanId: string;
  operationName: string;
  /** The reporting process's service.name (Istio: "<app label>.<namespace>"). */
  service: string;
  /** CHILD_OF reference, if any. */
  parentSpanId?: string;
}

interface UiTrace {
  traceID?: string;
  spans?: Array<{ traceID?: string; spanID?: string; operationName?: string; processID?: string; references?: Array<{ refType?: string; spanID?: string }> }>;
  processes?: Record<string, { serviceName?: string }>;
}

/** Jaeger prints a 128-bit id without the high half's leading zeros: compare ids this way. */
export const normalTraceId = (id: string): string => id.toLowerCase().replace(/^0+/, '');

export async function jaegerTrace(base: string, traceId: string, o: { timeoutMs?: number } = {}): Promise<JaegerSpan[] | undefined> {
  const url = apiUrl(base, `/api/traces/${encodeURIComponent(traceId)}`);
  const { status, json } = await getJson(url, { timeoutMs: o.timeoutMs, expectStatus: [404] });
  if (status === 404) return undefined;
  const traces = (json as { data?: UiTrace[] } | undefined)?.data;
  if (!Array.isArray(traces)) throw new QueryError(url, status, `GET ${url} → HTTP ${status}: no "data" array of traces`);
  return traces.flatMap((t) => (t.spans ?? []).map((s) => ({
    traceId: s.traceID ?? t.traceID ?? '',
    spanId: s.spanID ?? '',
    operationName: s.operationName ?? '',
    service: t.processes?.[s.processID ?? '']?.serviceName ?? '',
    parentSpanId: s.references?.find((r) => r.refType === 'CHILD_OF')?.spanID,
  })));
}
