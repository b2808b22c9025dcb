// The fake gateway's fault filter: what Envoy does with a pushed VirtualService's http[0].fault, in
// Envoy's order (envoyproxy/envoy source/extensions/filters/http/fault/fault_filter.cc): the delay
// is drawn first and waited out, then the abort is drawn independently and, if it hits, answered
// by the gateway itself with 503 "fault filter abort" and no upstream (no
// x-envoy-upstream-service-time). The fixed delay runs on `faultTimeScale` (tests use 0.1, so 2 s
// is 200 ms), and it can misbehave: the fault ignored, percentages off, a delay too short, the
// abort decided before (and instead of) the delay, an abort that looks like the upstream's.
import type { KubernetesObject } from '@kubernetes/client-node';

export interface FaultBehaviour {
  /** Real time per fixedDelay time: 0.1 → a 2 s delay lasts 200 ms. Default 1. */
  faultTimeScale?: number;
  /** The pushed fault is not applied at all. */
  faultIgnored?: boolean;
  /** Percentage points added to the abort percentage. */
  abortSkewPp?: number;
  /** Percentage points added to the delay percentage. */
  delaySkewPp?: number;
  /** The delay lasts this fraction of fixedDelay. */
  delayFactor?: number;
  /** Abort drawn first; an aborted request is not delayed (not Envoy's order). */
  abortSkipsDelay?: boolean;
  /** The abort answers with another body and an upstream-time header, as if front-end sent it. */
  abortLooksUpstream?: boolean;
}

interface Fault {
  delay?: { percentage?: { value?: number }; fixedDelay?: string };
  abort?: { percentage?: { value?: number }; httpStatus?: number };
}

export interface FaultDecision {
  delayMs: number;
  abort?: { status: number; body: string; headers: Record<string, string> };
}

function durationMs(d: string | undefined): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s)$/.exec(d ?? '');
  return m ? Number(m[1]) * (m[2] === 's' ? 1000 : 1) : 0;
}

/** What the fault filter does to one request under the pushed VirtualService (undefined: no fault). */
export function decideFault(vs: KubernetesObject | undefined, b: FaultBehaviour, random: () => number): FaultDecision | undefined {
  const fault = ((vs as { spec?: { http?: Array<{ fault?: Fault }> } } | undefined)?.spec?.http?.[0]?.fault);
  if (!fault || b.faultIgnored) return undefined;
  const hit = (pct: number | undefined, skew = 0) => pct !== undefined && random() * 100 < pct + skew;
  const abortOf = (status: number): FaultDecision['abort'] => b.abortLooksUpstream
    ? { status, body: 'Service Unavailable', headers: { 'x-envoy-upstream-service-time': '3' } }
    : { status, body: 'fault filter abort', headers: {} };
  const delayMs = durationMs(fault.delay?.fixedDelay) * (b.faultTimeScale ?? 1) * (b.delayFactor ?? 1);
  if (b.abortSkipsDelay) {
    if (fault.abort && hit(fault.abort.percentage?.value, b.abortSkewPp)) return { delayMs: 0, abort: abortOf(fault.abort.httpStatus ?? 503) };
    return { delayMs: fault.delay && hit(fault.delay.percentage?.value, b.delaySkewPp) ? delayMs : 0 };
  }
  const delayed = Boolean(fault.delay) && hit(fault.delay!.percentage?.value, b.delaySkewPp);
  const aborted = Boolean(fault.abort) && hit(fault.abort!.percentage?.value, b.abortSkewPp);
  return { delayMs: delayed ? delayMs : 0, abort: aborted ? abortOf(fault.abort!.httpStatus ?? 503) : undefined };
}

// --- behind the gateway's route: its router (timeout, retries) and front-end's sidecar -----------
// Envoy's router (envoyproxy/envoy source/common/router/router.cc): the route timeout covers every
// try and ends in the router's own 504 "upstream request timeout"; retries re-send to the upstream,
// so only a failure made BEHIND the router (here front-end's sidecar aborting its call to carts,
// which front-end 0.3.12's GET /cart passes on with carts' status) can be retried — a fault on the
// gateway's own route is answered before the router. Istio's conversion (istio/istio
// pilot/pkg/networking/core/route/retry/retry.go ConvertPolicy): no `retries` → 2 retries on
// connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes [503]; attempts 0 →
// no retry policy; attempts N → N retries (N + 1 tries) on retryOn.

export interface RouterBehaviour {
  /** The route's timeout is not applied. */
  timeoutIgnored?: boolean;
  /** This % of requests escape the route's timeout. */
  timeoutMissPct?: number;
  /** The route's timeout fires after this fraction of it. */
  timeoutFactor?: number;
  /** No retry ever. */
  retriesIgnored?: boolean;
  /** attempts counted as tries in total, not retries (one try fewer). */
  retryAttemptsAsTotal?: boolean;
  /** retryOn read as connect-failure only: a 503 answer is not retried. */
  retryWrongCodes?: boolean;
  /** attempts 0 treated as "unset": Istio's default 2 retries on 503 apply. */
  zeroAttemptsAsDefault?: boolean;
}

export interface Answer {
  status: number;
  body: string;
  /** The answer came from front-end (Envoy adds x-envoy-upstream-service-time), not the gateway itself. */
  upstream: boolean;
}

type HttpRoute = { match?: Array<{ headers?: Record<string, { exact?: string }> }>; timeout?: string; retries?: { attempts?: number; retryOn?: string } };

/** The VirtualService's first http entry whose match (exact headers) the request meets. */
export function matchedHttp(vs: KubernetesObject | undefined, headers: Record<string, string | string[] | undefined>): HttpRoute & Record<string, unknown> {
  const http = (vs as { spec?: { http?: Array<HttpRoute & Record<string, unknown>> } } | undefined)?.spec?.http ?? [];
  const meets = (m: NonNullable<HttpRoute['match']>[number]) => Object.entries(m.headers ?? {}).every(([k, v]) => headers[k.toLowerCase()] === v.exact);
  return http.find((h) => !h.match || h.match.length === 0 || h.match.some(meets)) ?? {};
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** front-end's sidecar calling carts under a mesh VirtualService `carts`: its fault, then carts. */
export async function sidecarHop(cartsVs: KubernetesObject | undefined, b: FaultBehaviour, random: () => number, carts: () => Promise<Answer>): Promise<Answer> {
  const f = decideFault(cartsVs, b, random);
  if (f && f.delayMs > 0) await sleep(f.delayMs);
  if (f?.abort) return { status: f.abort.status, body: f.abort.body, upstream: true }; // front-end passes carts' 503 on
  return carts();
}

function retryPolicy(h: HttpRoute, b: RouterBehaviour): { retries: number; retries503: boolean } {
  if (b.retriesIgnored) return { retries: 0, retries503: false };
  const r = h.retries;
  if (!r || (r.attempts === 0 && b.zeroAttemptsAsDefault)) return { retries: 2, retries503: true };
  if (!r.attempts || r.attempts <= 0) return { retries: 0, retries503: false };
  const on = (r.retryOn ?? '').split(',').map((s) => s.trim());
  const retries503 = !b.retryWrongCodes && (r.retryOn === undefined || on.some((o) => ['5xx', 'gateway-error', '503'].includes(o)));
  return { retries: b.retryAttemptsAsTotal ? r.attempts - 1 : r.attempts, retries503 };
}

/** The gateway's router on route `h`: tries `attempt`, retries 5xx as the policy says, within the route timeout. */
export async function routeThrough(h: HttpRoute, b: RouterBehaviour & FaultBehaviour, attempt: () => Promise<Answer>, random: () => number): Promise<Answer> {
  const { retries, retries503 } = retryPolicy(h, b);
  const tries = (async () => {
    let a = await attempt();
    for (let i = 0; i < retries && a.status >= 500 && retries503; i++) a = await attempt();
    return a;
  })();
  const escapes = h.timeout !== undefined && random() * 100 < (b.timeoutMissPct ?? 0);
  const timeoutMs = h.timeout && !b.timeoutIgnored && !escapes ? durationMs(h.timeout) * (b.faultTimeScale ?? 1) * (b.timeoutFactor ?? 1) : 0;
  if (timeoutMs <= 0) return tries;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<Answer>((resolve) => { timer = setTimeout(() => resolve({ status: 504, body: 'upstream request timeout', upstream: false }), timeoutMs); });
  return Promise.race([tries, timedOut]).finally(() => clearTimeout(timer));
}
