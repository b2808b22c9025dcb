// What a user of the shop sees while Flagger analyses a change: a paced stream of GET /catalogue
// through the ingress gateway (the VirtualService's weights apply to it: at canaryWeight 10, a
// tenth of it reaches the canary), running until the analysis has ended. Reported, not judged:
// Flagger's verdict comes from the sidecars' metrics of the canary alone, and this stream is how
// the blast radius of a faulty canary looks from the outside (≈ its weight, in 5xx).
import { sendRequests } from '../checks/http-load.ts';

export interface StreamReport {
  url: string;
  requests: number;
  ok: number;
  status5xx: number;
  /** Neither 2xx nor 5xx (no response, 4xx, …), by status or error code. */
  other: Record<string, number>;
  elapsedMs: number;
  /** Lines for the text report. */
  lines: string[];
}

export interface StreamOptions {
  url: string;
  intervalMs: number;
  timeoutMs: number;
  /** Resolves when the stream should stop. */
  stop: Promise<unknown>;
}

/** One request every intervalMs until `stop` resolves. */
export async function streamUntil(o: StreamOptions): Promise<StreamReport> {
  let stopped = false;
  void o.stop.then(() => (stopped = true), () => (stopped = true));
  // A few slots: each idle worker sleeps until its next slot, so the stream ends ≤ 4 intervals
  // after `stop` (more slots would keep the run alive that much longer).
  const run = await sendRequests({
    url: o.url, requests: 1_000_000, concurrency: 4,
    intervalMs: o.intervalMs, timeoutMs: o.timeoutMs, until: () => stopped,
  });
  const ok = run.results.filter((r) => r.status !== null && r.status < 300 && r.status >= 200).length;
  const status5xx = run.results.filter((r) => r.status !== null && r.status >= 500).length;
  const other: Record<string, number> = {};
  for (const r of run.results) {
    if (r.status !== null && ((r.status >= 200 && r.status < 300) || r.status >= 500)) continue;
    const k = r.status === null ? r.errorCode ?? 'no response' : `http ${r.status}`;
    other[k] = (other[k] ?? 0) + 1;
  }
  const n = run.results.length;
  const pct = (v: number) => (n ? `${((100 * v) / n).toFixed(1)}%` : '—');
  const lines = [`gateway stream ${o.url}: ${n} requests in ${(run.elapsedMs / 1000).toFixed(1)} s, ${ok} 2xx, ${status5xx} 5xx (${pct(status5xx)})${Object.keys(other).length ? `, other ${JSON.stringify(other)}` : ''}`];
  return { url: o.url, requests: n, ok, status5xx, other, elapsedMs: Math.round(run.elapsedMs), lines };
}
