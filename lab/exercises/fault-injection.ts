// fault-injection (seed 003's resilience theme; Istio's fault-injection task): the gateway's route to
// front-end gets an Istio fault — 50 % of requests delayed 2 s, 30 % aborted with 503 — and one fixed
// sample through the ingress gateway shows both shares and the two latency populations.
//
// What to expect (Envoy's fault filter, envoyproxy/envoy source/extensions/filters/http/fault/
// fault_filter.cc: decodeHeaders → maybeSetupDelay, and postDelayInjection decides the abort only
// after the delay): the delay and the abort are independent draws, the delay first. So of all
// requests 50 % are delayed (aborted or not), 30 % are aborted (delayed or not), 15 % both; an
// implementation that aborted before delaying would show only 35 % delayed.
import { LabError } from '../errors.ts';
import { durationMs } from './duration.ts';
import { judge, type AssertionSpec } from './assertions.ts';
import { applyAndVerify, frontEndDiagnostics, frontEndStats } from './exercise-helpers.ts';
import { runFaultSample, type FaultSampleReport } from './fault-injection-sample.ts';
import { describeRoutes, phaseObject, phaseObjects, VS_REF, type IstioObject } from './front-end-mesh.ts';
import { requiredSampleSize, shareNearestHalf, wilsonInterval, zForConfidence } from '../checks/stats.ts';
import type { Exercise } from './types.ts';

export const PHASE = 'fault';
export const TOLERANCE_PP = 5;
export const CONFIDENCE = 0.99;

interface Fault {
  delay: { percentage: { value: number }; fixedDelay: string };
  abort: { percentage: { value: number }; httpStatus: number };
}

/** The fault of the phase's VirtualService (manifests/exercises/fault-injection/fault). */
export function faultOf(vs: IstioObject = phaseObject('fault-injection', PHASE, 'VirtualService')) {
  const f = (vs.spec.http as Array<{ fault?: Fault }> | undefined)?.[0]?.fault;
  if (!f?.delay?.fixedDelay || f.delay.percentage?.value === undefined || f.abort?.percentage?.value === undefined || !f.abort.httpStatus) {
    throw new LabError('manifests/exercises/fault-injection/fault: http[0].fault needs delay {percentage.value, fixedDelay} and abort {percentage.value, httpStatus}');
  }
  return { delayPct: f.delay.percentage.value, delayMs: durationMs(f.delay.fixedDelay), abortPct: f.abort.percentage.value, abortStatus: f.abort.httpStatus };
}

/**
 * One fixed sample sized like traffic-split's: every share within ±5pp at 99 % confidence,
 * n = ⌈z²·p(1−p)/E²⌉ with p the expected share nearest 0.5 (the delayed 50 %):
 * ⌈2.576²·0.25/0.05²⌉ = 664 (lab/checks/stats.ts requiredSampleSize).
 */
export function sampleSize(): number {
  const f = faultOf();
  return requiredSampleSize([f.delayPct / 100, f.abortPct / 100], TOLERANCE_PP, CONFIDENCE);
}

/** "n = ⌈2.576²·0.5·0.5/0.05²⌉ = 664 (±5pp at 99 %)": how sampleSize() came out. */
export function sizeHow(): string {
  const f = faultOf();
  const p = shareNearestHalf([f.delayPct / 100, f.abortPct / 100]);
  return `n = ⌈${zForConfidence(CONFIDENCE).toFixed(3)}²·${p}·${+(1 - p).toFixed(4)}/${TOLERANCE_PP / 100}²⌉ = ${sampleSize()}: every share ±${TOLERANCE_PP}pp at ${CONFIDENCE * 100}%`;
}

/** Timing: `timeScale` shrinks the fault's fixed delay for the tests' fake gateway (1 on a cluster,
 * where the manifest's 2 s is what Envoy waits). */
export interface FaultTiming {
  timeScale: number;
  /** Non-delayed requests must answer faster than this (p50). */
  fastMaxMs: number;
  /** In flight at once: 664 requests, half waiting 2 s, at 20 → ≈ 664·(0.5·2 s)/20 ≈ 35 s. */
  concurrency: number;
  convergeTimeoutMs: number;
}

export const TIMING: FaultTiming = { timeScale: 1, fastMaxMs: 300, concurrency: 20, convergeTimeoutMs: 60_000 };

/** What the exercise expects, in the timing's scale. */
export function expectation(t: FaultTiming) {
  const f = faultOf();
  const delayMs = f.delayMs * t.timeScale;
  return { ...f, delayMs, n: sampleSize(), delayedAtMs: Math.round((t.fastMaxMs + delayMs) / 2) };
}

const pct = (k: number, n: number) => (n > 0 ? +((100 * k) / n).toFixed(1) : 0);
const p1 = (fraction: number) => +(fraction * 100).toFixed(1);

function shareSpec(what: string, key: 'aborted' | 'delayed', wantPct: number, defn: string): AssertionSpec<FaultSampleReport> {
  return {
    name: `${what} share within ${wantPct}% ± ${TOLERANCE_PP}pp`,
    expected: `${wantPct - TOLERANCE_PP}% ≤ ${what} share ≤ ${wantPct + TOLERANCE_PP}% of the answered sample (${defn})`,
    judge: (r) => {
      const k = r.counts[key];
      const share = pct(k, r.completed);
      const ci = r.completed > 0 ? wilsonInterval(k, r.completed, CONFIDENCE) : { lower: 0, upper: 0 };
      return {
        pass: r.completed > 0 && Math.abs(share - wantPct) <= TOLERANCE_PP,
        actual: `${share}% (${k}/${r.completed}), 99% Wilson CI [${p1(ci.lower)}%, ${p1(ci.upper)}%]`,
        numbers: { count: k, answered: r.completed, sharePct: share, deviationPp: +(share - wantPct).toFixed(1), ciLowerPct: p1(ci.lower), ciUpperPct: p1(ci.upper) },
      };
    },
  };
}

export function faultSpecs(t: FaultTiming): AssertionSpec<FaultSampleReport>[] {
  const e = expectation(t);
  return [
    {
      name: 'fault: the whole fixed sample completed',
      expected: `the fault seen in effect (an abort and a delayed answer) within ${t.convergeTimeoutMs} ms, then all ${e.n} requests answered (${sizeHow()})`,
      judge: (r) => ({
        pass: r.converged && r.completed === r.n,
        actual: r.converged ? `${r.completed}/${r.n} answered in ${r.sampleMs} ms` : `the fault never showed: no abort and delayed answer within ${r.convergeMs} ms (${r.convergeRequests} requests)`,
        numbers: { n: r.n, completed: r.completed, converged: r.converged, convergeMs: r.convergeMs, sampleMs: r.sampleMs },
      }),
    },
    {
      name: `fault: every answer is front-end's 200 or the fault's ${e.abortStatus}`,
      expected: `0 answers other than 200 or ${e.abortStatus} "fault filter abort" without ${'x-envoy-upstream-service-time'}`,
      judge: (r) => ({
        pass: r.completed > 0 && r.counts.other === 0,
        actual: r.counts.other === 0 ? `200 ×${r.counts.ok}, aborted ×${r.counts.aborted}, none other` : `${r.counts.other} other: ${Object.entries(r.otherByReason).map(([k, v]) => `${k} ×${v}`).join(', ')}`,
        numbers: { ok: r.counts.ok, aborted: r.counts.aborted, other: r.counts.other },
      }),
    },
    shareSpec('fault: aborted', 'aborted', e.abortPct, `${e.abortStatus} with the body "fault filter abort", no upstream`),
    shareSpec('fault: delayed', 'delayed', e.delayPct, `latency ≥ ${e.delayedAtMs} ms, midway between ${t.fastMaxMs} ms and the ${e.delayMs} ms delay; aborted ones included, the delay comes first`),
    {
      name: `fault: delayed requests waited the fixed delay, p50 ≥ ${e.delayMs} ms`,
      expected: `p50 latency of the delayed ≥ ${e.delayMs} ms (fixedDelay ${faultOf().delayMs} ms × ${t.timeScale})`,
      judge: (r) => ({
        pass: r.delayedLatency !== null && r.delayedLatency.p50Ms >= e.delayMs,
        actual: r.delayedLatency ? `p50 ${r.delayedLatency.p50Ms} ms, p95 ${r.delayedLatency.p95Ms} ms over ${r.delayedLatency.count}` : 'no delayed requests',
        numbers: { p50Ms: r.delayedLatency?.p50Ms ?? null, p95Ms: r.delayedLatency?.p95Ms ?? null, count: r.delayedLatency?.count ?? 0, delayMs: e.delayMs },
      }),
    },
    {
      name: `fault: the others were not slowed, p50 < ${t.fastMaxMs} ms`,
      expected: `p50 latency of the non-delayed < ${t.fastMaxMs} ms`,
      judge: (r) => ({
        pass: r.otherLatency !== null && r.otherLatency.p50Ms < t.fastMaxMs,
        actual: r.otherLatency ? `p50 ${r.otherLatency.p50Ms} ms, p95 ${r.otherLatency.p95Ms} ms over ${r.otherLatency.count}` : 'no undelayed requests',
        numbers: { p50Ms: r.otherLatency?.p50Ms ?? null, p95Ms: r.otherLatency?.p95Ms ?? null, count: r.otherLatency?.count ?? 0, fastMaxMs: t.fastMaxMs },
      }),
    },
  ];
}

export interface FaultObserved {
  sample: FaultSampleReport | undefined;
}

export function makeFaultInjection(t: FaultTiming = TIMING): Exercise<void, FaultObserved> {
  return {
    name: 'fault-injection',
    summary: "front-end's gateway route with an Istio fault (50 % delayed 2 s, 30 % aborted 503), proved with a fixed sample",
    needs: ['istio', 'samples'],
    manifests: () => ({ [PHASE]: phaseObjects('fault-injection', PHASE) }),

    async setup(x) {
      await x.save([VS_REF]);
      const f = faultOf();
      await applyAndVerify(x, `inject faults on front-end: ${f.delayPct}% delayed ${f.delayMs} ms, ${f.abortPct}% aborted ${f.abortStatus}`,
        phaseObjects('fault-injection', PHASE).map((obj) => ({ obj, holds: `${describeRoutes(obj)}, delaying ${f.delayPct}% by ${f.delayMs} ms and aborting ${f.abortPct}% with ${f.abortStatus}` })));
    },

    async act(x) {
      const e = expectation(t);
      const sample = await x.traffic(`${e.n} requests at concurrency ${t.concurrency} through the ingress gateway`, async () =>
        runFaultSample({
          url: `${await x.ops.ingressUrl()}/`, n: e.n, concurrency: t.concurrency, delayedAtMs: e.delayedAtMs, abortStatus: e.abortStatus,
          timeoutMs: Math.max(5000, 3 * e.delayMs), convergeTimeoutMs: t.convergeTimeoutMs,
        }));
      return { sample };
    },

    assert: (o, skipReason) => judge(o.sample, skipReason, faultSpecs(t)),

    async cleanup(x) {
      await x.restore();
    },

    diagnose: (x) => x.ops.collect(frontEndDiagnostics(frontEndStats, [
      { title: "the gateway's fault filter counters (delays_injected, aborts_injected)", tool: 'kubectl', args: ['exec', '-n', 'istio-system', 'deploy/istio-ingressgateway', '-c', 'istio-proxy', '--', 'pilot-agent', 'request', 'GET', 'stats'], filter: (l) => l.includes('fault.'), tailLines: 20 },
    ])),
  };
}

export const faultInjection = makeFaultInjection();
