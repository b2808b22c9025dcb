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
