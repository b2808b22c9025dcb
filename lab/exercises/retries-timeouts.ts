// retries-timeouts (seed 003's resilience theme): what the gateway's route does about a slow or failing
// hop behind it. Part one: a route timeout of 1 s against front-end's calls to carts delayed 3 s →
// the gateway's router answers 504 "upstream request timeout" after ≈ 1 s. Part two: front-end's
// sidecar aborts 30 % of its calls to carts with 503, front-end passes the 503 on, and the gateway's
// route retries 5xx 3 times → a request fails only if all 4 tries do: 0.3⁴ ≈ 0.0081, next to the
// same load on a route with retries off (attempts: 0) at 0.3, both in the same run.
//
// Why the fault sits behind the retrying proxy: Envoy's fault filter runs before the router
// (envoyproxy/envoy source/extensions/filters/http/fault/fault_filter.cc answers with
// sendLocalReply before the request reaches the router), so the router's retries and timeout never
// see a fault on their own route. `retries.attempts` is the number of retries, not tries (istio/istio
// pilot/pkg/networking/core/route/retry/retry.go ConvertPolicy: NumRetries = attempts), and without a
// retries block Istio retries twice on 503 — so the comparison route sets attempts: 0.
import { LabError } from '../errors.ts';
import { judge, zeroLeakSampleSize, type AssertionSpec } from './assertions.ts';
import { applyAndVerify, frontEndDiagnostics, frontEndStats } from './exercise-helpers.ts';
import { durationMs } from './duration.ts';
import { ISTIO_NETWORKING, NS, phaseObjects as exercisePhase, VS_REF, type IstioObject } from './front-end-mesh.ts';
import { pick as pickObject } from '../manifests.ts';
import { acceptRange, runRetriesSample, runTimeoutSample, type RetriesReport, type StreamReport, type TimeoutReport } from './retries-timeouts-sample.ts';
import type { ObjRef } from '../kube.ts';
import type { Exercise } from './types.ts';

export const CARTS_VS_REF: ObjRef = { apiVersion: ISTIO_NETWORKING, kind: 'VirtualService', namespace: NS, name: 'carts' };
export const CONFIDENCE = 0.99;
/** If ≥ 5 % of requests escaped the timeout, one of 90 shows it with 99 % (zeroLeakSampleSize). */
export const TIMEOUT_N = zeroLeakSampleSize(0.05, 0.99);
/** Per route. At 1000 the 99 % range around 0.3⁴ excludes 0.3³ (attempts read as tries) with
 * power > 0.95 (test/exercises/retries-timeouts.test.ts computes both from the binomial). */
export const RETRIES_N = 1000;

const phaseObjects = (phase: 'timeout' | 'retries') => exercisePhase('retries-timeouts', phase);
const pick = (objs: IstioObject[], name: string) => pickObject<IstioObject>(objs, 'VirtualService', name);

type Http = { timeout?: string; retries?: { attempts?: number; retryOn?: string }; fault?: { delay?: { fixedDelay?: string }; abort?: { percentage?: { value?: number } } } };
const httpOf = (o: IstioObject) => (o.spec.http as Http[] | undefined) ?? [];

/** The numbers the manifests set (manifests/exercises/retries-timeouts/{timeout,retries}). */
export function settings() {
  const t = phaseObjects('timeout');
  const r = phaseObjects('retries');
  const timeout = httpOf(pick(t, 'front-end'))[0]?.timeout;
  const delay = httpOf(pick(t, 'carts'))[0]?.fault?.delay?.fixedDelay;
  const abortPct = httpOf(pick(r, 'carts'))[0]?.fault?.abort?.percentage?.value;
  const attempts = httpOf(pick(r, 'front-end')).find((h) => (h.retries?.attempts ?? 0) > 0)?.retries?.attempts;
  if (!timeout || !delay || abortPct === undefined || !attempts) throw new LabError('manifests/exercises/retries-timeouts: expected a route timeout, a carts delay, a carts abort percentage and a route with retries.attempts > 0');
  return { timeoutMs: durationMs(timeout), delayMs: durationMs(delay), abortP: abortPct / 100, attempts };
}

export interface RetriesTiming {
  /** Real time per configured time (the fake gateway runs 1 s as 100 ms with 0.1). */
  timeScale: number;
  concurrency: number;
  convergeTimeoutMs: number;
}

export const TIMING: RetriesTiming = { timeScale: 1, concurrency: 10, convergeTimeoutMs: 60_000 };

function timeoutSpecs(t: RetriesTiming): AssertionSpec<TimeoutReport>[] {
  const s = settings();
  const to = s.timeoutMs * t.timeScale;
  const delay = s.delayMs * t.timeScale;
  const lat = (r: TimeoutReport) => (r.latency ? `p50 ${r.latency.p50Ms} ms, p95 ${r.latency.p95Ms} ms, min ${r.minMs} ms, max ${r.latency.maxMs} ms` : 'no answers');
  const nums = (r: TimeoutReport) => ({ p50Ms: r.latency?.p50Ms ?? null, p95Ms: r.latency?.p95Ms ?? null, minMs: r.minMs, maxMs: r.latency?.maxMs ?? null, timeoutMs: to, delayMs: delay });
  return [
    {
      name: `timeout: all ${TIMEOUT_N} requests answered 504 "upstream request timeout"`,
      expected: `the gateway's own 504 for every one of n = ${TIMEOUT_N} (if ≥ 5 % escaped the timeout, one of ${TIMEOUT_N} shows it with 99 %)`,
      judge: (r) => ({
        pass: r.converged && r.timeouts === r.n,
        actual: r.converged ? `504 ×${r.timeouts} of ${r.n}${r.timeouts < r.n ? `; other: ${Object.entries(r.otherByReason).map(([k, v]) => `${k} ×${v}`).join(', ')}` : ''}` : `no 504 within ${r.convergeMs} ms: the timeout never showed`,
        numbers: { n: r.n, timeouts: r.timeouts, answered: r.answered, converged: r.converged },
      }),
    },
    { name: `timeout: p95 < ${1.5 * to} ms`, expected: `p95 latency < 1.5 × the ${to} ms route timeout`, judge: (r) => ({ pass: r.latency !== null && r.latency.p95Ms < 1.5 * to, actual: lat(r), numbers: nums(r) }) },
    { name: `timeout: none waited the ${delay} ms delay`, expected: `max latency < ${delay} ms`, judge: (r) => ({ pass: r.latency !== null && r.latency.maxMs < delay, actual: lat(r), numbers: nums(r) }) },
    { name: `timeout: none answered before the ${to} ms timeout`, expected: `min latency ≥ ${0.95 * to} ms (0.95 × the timeout)`, judge: (r) => ({ pass: r.minMs !== null && r.minMs >= 0.95 * to, actual: lat(r), numbers: nums(r) }) },
  ];
}

function rateSpec(which: 'withRetries' | 'withoutRetries', p0: number, label: string): AssertionSpec<RetriesReport> {
  const range = acceptRange(p0, RETRIES_N, CONFIDENCE);
  return {
    name: `retries: ${which === 'withRetries' ? 'with' : 'without'} retries, error rate about ${label}`,
    expected: `${range.lo} ≤ errors ≤ ${range.hi} of ${RETRIES_N} (${label} = ${+(p0 * 100).toFixed(2)} %; the counts a 99 % Wilson interval agrees with)`,
    judge: (r) => {
      const s = r[which];
      return {
        pass: s.answered === s.n && s.errors >= range.lo && s.errors <= range.hi,
        actual: `${s.errors}/${s.n} = ${+((100 * s.errors) / Math.max(1, s.n)).toFixed(2)} %`,
        numbers: { errors: s.errors, n: s.n, expectedPct: +(p0 * 100).toFixed(2), lo: range.lo, hi: range.hi },
      };
    },
  };
}

function retriesSpecs(): AssertionSpec<RetriesReport>[] {
  const s = settings();
  const both = (r: RetriesReport) => [r.withRetries, r.withoutRetries];
  const desc = (x: StreamReport) => `${x.route}: ${x.answered}/${x.n} answered, ${x.wrongRoute} off-route`;
  return [
    {
      name: 'retries: both samples complete, each on its own route',
      expected: `both routes and an abort seen, then ${RETRIES_N} + ${RETRIES_N} requests answered at the same time, each stamped with its route's x-lab-route`,
      judge: (r) => ({
        pass: r.converged && both(r).every((x) => x.answered === x.n && x.wrongRoute === 0),
        actual: r.converged ? both(r).map(desc).join('; ') : `not converged within ${r.convergeMs} ms (a route or the abort never showed)`,
        numbers: { converged: r.converged, withAnswered: r.withRetries.answered, withoutAnswered: r.withoutRetries.answered, wrongRoute: r.withRetries.wrongRoute + r.withoutRetries.wrongRoute },
      }),
    },
    rateSpec('withoutRetries', s.abortP, `${s.abortP}`),
    rateSpec('withRetries', s.abortP ** (s.attempts + 1), `${s.abortP}^${s.attempts + 1}`),
    {
      name: "retries: every error is the fault's 503 that front-end passed on",
      expected: '0 errors other than 503 "fault filter abort" on either route',
      judge: (r) => ({
        pass: r.converged && both(r).every((x) => x.errors === x.faultErrors),
        actual: both(r).map((x) => `${x.route}: ${x.faultErrors}/${x.errors} (${Object.entries(x.errorsByReason).map(([k, v]) => `${k} ×${v}`).join(', ') || 'none'})`).join('; '),
        numbers: { otherErrors: both(r).reduce((a, x) => a + x.errors - x.faultErrors, 0) },
      }),
    },
  ];
}

export interface RetriesObserved {
  timeout: TimeoutReport | undefined;
  retries: RetriesReport | undefined;
}

export function makeRetriesTimeouts(t: RetriesTiming = TIMING): Exercise<void, RetriesObserved> {
  const apply = (x: Parameters<Exercise['setup']>[0], phase: 'timeout' | 'retries', title: string) =>
    applyAndVerify(x, title, phaseObjects(phase).map((obj) => ({ obj, holds: `as manifests/exercises/retries-timeouts/${phase} says` })));
  return {
    name: 'retries-timeouts',
    summary: "a 1 s route timeout against a 3 s delay behind it (504 in ≈ 1 s); 3 retries on 5xx in front of a hop aborting 30 % (errors ≈ 0.3⁴), next to no retries",
    needs: ['istio', 'samples'],
    manifests: () => ({ timeout: phaseObjects('timeout'), retries: phaseObjects('retries') }),

    async setup(x) {
      await x.save([VS_REF, CARTS_VS_REF]);
      const s = settings();
      await apply(x, 'timeout', `front-end's route times out after ${s.timeoutMs} ms; front-end's calls to carts wait ${s.delayMs} ms`);
    },

    async act(x) {
      const url = async () => `${await x.ops.ingressUrl()}/cart`; // inside the traffic: sim has no ingress
      const s = settings();
      const slowest = s.delayMs * t.timeScale;
      const timeout = await x.traffic(`${TIMEOUT_N} requests to /cart against the timeout`, async () =>
        runTimeoutSample({ url: await url(), n: TIMEOUT_N, concurrency: t.concurrency, timeoutMs: Math.max(5000, 2 * slowest), convergeTimeoutMs: t.convergeTimeoutMs }));
      await apply(x, 'retries', `front-end's route retries 5xx ${s.attempts} times (and a second route with attempts: 0); front-end's calls to carts abort ${s.abortP * 100} %`);
      const retries = await x.traffic(`${RETRIES_N} requests to /cart with retries and ${RETRIES_N} without, at the same time`, async () =>
        runRetriesSample({ url: await url(), n: RETRIES_N, concurrency: t.concurrency, timeoutMs: Math.max(5000, 2 * slowest), convergeTimeoutMs: t.convergeTimeoutMs }));
      return { timeout, retries };
    },

    assert: (o, skipReason) => [...judge(o.timeout, skipReason, timeoutSpecs(t)), ...judge(o.retries, skipReason, retriesSpecs())],

    async cleanup(x) {
      await x.restore();
    },

    diagnose: (x) => x.ops.collect(frontEndDiagnostics(frontEndStats, [
      { title: `VirtualService ${NS}/carts`, tool: 'kubectl', args: ['describe', 'virtualservice', 'carts', '-n', NS] },
      { title: "front-end's sidecar log (its calls to carts: DI/FI flags)", tool: 'kubectl', args: ['logs', '-n', NS, 'deploy/front-end', '-c', 'istio-proxy', '--tail=40'] },
    ])),
  };
}

export const retriesTimeouts = makeRetriesTimeouts();
