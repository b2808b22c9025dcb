// circuit-breaker (seed 003, レジリエンス; Istio's circuit-breaking task). Part one: a DestinationRule
// allowing front-end 1 connection and 1 pending request, so concurrent load through the gateway is
// shed with 503 + x-envoy-overloaded — counted by the client and by the gateway's Envoy counter
// upstream_rq_pending_overflow. Part two, the seed's "carts is down" story: with carts scaled to 0,
// requests that need it must fail fast instead of hanging until a timeout. Part two has its own
// policy (subsets only) and runs first: with part one's breaker applied, the gateway would eject
// front-end after its first 5xx and answer every later request itself — fast, but not because of
// the carts path.
import type { BreakerReport } from '../checks/report-types.ts';
import { runBreakerCheck } from '../checks/breaker.ts';
import { LabError } from '../errors.ts';
import { judge, type AssertionSpec } from './assertions.ts';
import { breakerLifted, enforcesPool } from './envoy-clusters.ts';
import { counterIncrease, outboundCluster, readCounter, type CounterReading } from './envoy-stats.ts';
import { applyAndVerify, frontEndDiagnostics, frontEndStats, pollUntil } from './exercise-helpers.ts';
import { runFailFastProbe, UPSTREAM_TIME, type FailFastReport } from './fail-fast.ts';
import { CARTS_REF, describePolicy, describeRoutes, DR_REF, FRONT_END_HOST, gatewayWithStats, GATEWAY_REF, NS, phaseObject, phaseObjects, policyOf, VS_REF, withReplicas } from './front-end-mesh.ts';
import type { Exercise, ExerciseRun } from './types.ts';

/** The breaker (manifests/exercises/circuit-breaker/breaker): Istio's task values, with
 * consecutive5xxErrors (consecutiveErrors is deprecated). The pool limits the wait looks for come from it. */
export function breakerPolicy() {
  const p = policyOf(phaseObject('circuit-breaker', 'breaker', 'DestinationRule'));
  const connections = p?.connectionPool?.tcp?.maxConnections;
  const pending = p?.connectionPool?.http?.http1MaxPendingRequests;
  if (connections === undefined || pending === undefined) throw new LabError('manifests/exercises/circuit-breaker/breaker: the DestinationRule needs connectionPool tcp.maxConnections and http.http1MaxPendingRequests');
  return { policy: p!, connections, pending };
}

/** 10 in flight against 1 connection + 1 pending slot: at least 20% must overflow (the CLI's default). */
export const LOAD = { concurrency: 10, requests: 300, minOverflow: 0.2 };
export const OVERFLOW_STAT = 'upstream_rq_pending_overflow';
export const V1_CLUSTER = outboundCluster(80, 'v1', FRONT_END_HOST);
/** A request still unanswered after 10 s is hanging; fast means p95 under a tenth of that. */
export const CARTS_DOWN = { requests: 30, timeoutMs: 10_000, maxP95Ms: 1_000 };

/** How long the exercise waits for the mesh; tests use shorter ones. */
export interface BreakerTiming {
  /** Until every gateway pod enforces (part one) or has lifted (part two) the policy. */
  enforceTimeoutMs: number;
  /** Counters are read until they have caught up with what the client saw, at most this long. */
  counterSettleMs: number;
  /** Each Deployment rollout (the gateway, carts). */
  rolloutTimeoutMs: number;
  /** Until the carts Service has no ready endpoint. */
  endpointsTimeoutMs: number;
  /** Part two's probe: how many requests, when one counts as hanging, what counts as fast. */
  cartsDown: typeof CARTS_DOWN;
}

export const TIMING: BreakerTiming = { enforceTimeoutMs: 60_000, counterSettleMs: 5_000, rolloutTimeoutMs: 300_000, endpointsTimeoutMs: 120_000, cartsDown: CARTS_DOWN };

export interface BreakerObservation {
  report: BreakerReport;
  before: CounterReading;
  after: CounterReading;
  increase: number | null;
}

export interface BreakerObserved {
  breaker: BreakerObservation | undefined;
  cartsDown: FailFastReport | undefined;
}

const breakerSpecs: AssertionSpec<BreakerObservation>[] = [
  {
    name: `breaker: ≥ ${LOAD.minOverflow * 100}% of ${LOAD.requests} requests shed with 503 + x-envoy-overloaded`,
    expected: `overflow share ≥ ${LOAD.minOverflow * 100}% at concurrency ${LOAD.concurrency}, all ${LOAD.requests} requests sent`,
    judge: ({ report: r }) => ({
      pass: r.overflowPct >= r.minOverflowPct && r.counts.ok + r.counts.overflow + r.counts.other503 + r.counts.otherStatus + r.counts.errors === r.requests,
      actual: `${r.overflowPct}% (${r.counts.overflow}/${r.requests}), 95% CI [${r.overflowCiPct.lower}, ${r.overflowCiPct.upper}]`,
      numbers: { overflow: r.counts.overflow, requests: r.requests, overflowPct: r.overflowPct, ciLowerPct: r.overflowCiPct.lower, ciUpperPct: r.overflowCiPct.upper },
    }),
  },
  {
    name: 'breaker: load is shed, not refused: some requests still get 200',
    expected: '≥ 1 response 200',
    judge: ({ report: r }) => ({ pass: r.counts.ok > 0, actual: `200 ×${r.counts.ok}, other 503 ×${r.counts.other503}, errors ×${r.counts.errors}`, numbers: { ...r.counts } }),
  },
  {
    name: `breaker: the gateway's ${OVERFLOW_STAT} for ${V1_CLUSTER} went up`,
    expected: `counter increase ≥ the overflow 503s the client saw, and > 0`,
    judge: ({ report: r, before, after, increase }) => ({
      pass: increase !== null && increase > 0 && increase >= r.counts.overflow,
      actual: increase === null
        ? `the gateway does not emit cluster.${V1_CLUSTER}.${OVERFLOW_STAT} (Istio's stats inclusion list)`
        : `${before.total} → ${after.total} (+${increase}); the client saw ${r.counts.overflow}`,
      numbers: { before: before.total, after: after.total, increase, clientOverflow: r.counts.overflow },
    }),
  },
];

function cartsDownSpecs(c: typeof CARTS_DOWN): AssertionSpec<FailFastReport>[] {
  return [
    {
      name: `carts down: every /cart request answered (none hung for ${c.timeoutMs / 1000} s)`,
      expected: `${c.requests} of ${c.requests} answered with an HTTP status within ${c.timeoutMs} ms`,
      judge: (r) => ({ pass: r.unanswered === 0 && r.sent === r.requests, actual: `${r.answered}/${r.requests} answered; ${JSON.stringify(r.outcomes)}`, numbers: { answered: r.answered, unanswered: r.unanswered, sent: r.sent } }),
    },
    {
      name: 'carts down: the failure is visible (5xx), not hidden behind a 200',
      expected: 'every answered /cart request is a 5xx',
      judge: (r) => ({ pass: r.answered > 0 && r.answered5xx === r.answered, actual: `5xx ×${r.answered5xx}, 2xx ×${r.answered2xx} of ${r.answered}`, numbers: { answered5xx: r.answered5xx, answered2xx: r.answered2xx } }),
    },
    {
      name: 'carts down: the 5xx come from front-end through the gateway, not from the gateway itself',
      expected: `every 5xx carries ${UPSTREAM_TIME} (the gateway proxied front-end's answer; its own replies, e.g. for an ejected front-end, do not)`,
      judge: (r) => ({
        pass: r.answered5xx > 0 && r.upstream5xx === r.answered5xx,
        actual: `${r.upstream5xx} of ${r.answered5xx} 5xx came from front-end; ${r.answered5xx - r.upstream5xx} were the gateway's own reply`,
        numbers: { upstream5xx: r.upstream5xx, gateway5xx: r.answered5xx - r.upstream5xx, answered5xx: r.answered5xx },
      }),
    },
    {
      name: `carts down: fails fast, p95 < ${c.maxP95Ms} ms`,
      expected: `p95 latency < ${c.maxP95Ms} ms (a tenth of the ${c.timeoutMs} ms client timeout)`,
      judge: (r) => ({
        pass: r.latency !== null && r.latency.p95Ms < c.maxP95Ms,
        actual: r.latency ? `p50 ${r.latency.p50Ms} ms, p95 ${r.latency.p95Ms} ms, max ${r.latency.maxMs} ms` : 'no responses',
        numbers: { p50Ms: r.latency?.p50Ms ?? null, p95Ms: r.latency?.p95Ms ?? null, maxMs: r.latency?.maxMs ?? null, timeoutMs: r.timeoutMs },
      }),
    },
  ];
}

/** No breaker on any gateway pod (left by anything before): Envoy's default pool, no host ejected. */
async function untilLifted(x: ExerciseRun, t: BreakerTiming): Promise<void> {
  await x.traffic(`until no gateway pod applies a breaker on ${V1_CLUSTER} (no limit of 1, no ejected host)`, async () => {
    const lifted = await pollUntil(async () => breakerLifted(await x.ops.gatewayAdmin('clusters'), V1_CLUSTER, breakerPolicy().connections), (p) => p.ok, t.enforceTimeoutMs, 500);
    if (!lifted.ok) throw new LabError(`the gateway still applies a breaker ${lifted.ms} ms after the carts-down policy was applied`, { detail: JSON.stringify(lifted.value.byPod) });
    return { ms: lifted.ms };
  });
}

async function cartsDown(x: ExerciseRun, t: BreakerTiming): Promise<FailFastReport | undefined> {
  const carts = x.saved(CARTS_REF);
  if (!carts) throw new LabError(`Deployment ${NS}/carts does not exist (run: npm run lab -- seed sock-shop)`);
  const replicas = (carts as { spec?: { replicas?: number } }).spec?.replicas ?? 1;
  const own = phaseObject('circuit-breaker', 'carts-down', 'DestinationRule');
  await applyAndVerify(x, "part two's own policy: front-end subsets only (no connection pool, no outlier detection)", [
    { obj: own, holds: `${describePolicy(own)}, so the gateway keeps sending to front-end whatever it answers` },
  ]);
  await untilLifted(x, t);
  await x.change('take carts down: scale it to 0', () => x.ops.apply([withReplicas(carts, 0)]));
  const gone = await x.wait('until the carts Service has no ready endpoint', () => pollUntil(() => x.ops.readyEndpoints(NS, 'carts'), (n) => n === 0, t.endpointsTimeoutMs));
  if (!gone.ok) throw new LabError(`carts still has ${gone.value} ready endpoint(s) ${gone.ms} ms after scaling it to 0`);
  const probe = await x.traffic(`${t.cartsDown.requests} requests to /cart while carts is down`, async () =>
    runFailFastProbe({ url: `${await x.ops.ingressUrl()}/cart`, requests: t.cartsDown.requests, timeoutMs: t.cartsDown.timeoutMs }));
  await x.change(`bring carts back: ${replicas} replica(s)`, () => x.ops.apply([withReplicas(carts, replicas)]));
  await x.wait('until carts is available again', () => x.ops.waitRollout(NS, 'carts', t.rolloutTimeoutMs));
  return probe;
}

/** The gateway's counter, read until it has counted at least what the client saw (or `settleMs` passed). */
async function settledIncrease(x: ExerciseRun, before: CounterReading, clientOverflow: number, settleMs: number) {
  const read = async () => {
    const after = readCounter(await x.ops.gatewayAdmin('stats'), V1_CLUSTER, OVERFLOW_STAT);
    return { after, increase: counterIncrease(before, after) };
  };
  const r = await pollUntil(read, (v) => v.increase === null || v.increase >= clientOverflow, settleMs, 250);
  return { ...r.value, settleMs: r.ms };
}

/** The exercise with its waits; tests use shorter ones. */
export function makeCircuitBreaker(t: BreakerTiming = TIMING): Exercise<void, BreakerObserved> {
  return {
    name: 'circuit-breaker',
    summary: 'connection-pool limits shed load with 503 (client + gateway Envoy counter); with carts down, requests fail fast instead of hanging',
    needs: ['istio', 'samples'],
    manifests: () => Object.fromEntries(['all-to-v1', 'carts-down', 'breaker'].map((p) => [p, phaseObjects('circuit-breaker', p)])),

    async setup(x) {
      await x.save([VS_REF, DR_REF, CARTS_REF, GATEWAY_REF]);
      const gw = x.saved(GATEWAY_REF);
      if (!gw) throw new LabError(`Deployment ${GATEWAY_REF.namespace}/${GATEWAY_REF.name} does not exist (run: npm run lab -- up)`);
      const withStats = gatewayWithStats(gw);
      if (withStats) {
        await applyAndVerify(x, `let the gateway emit ${OVERFLOW_STAT} (proxyStatsMatcher; the gateway restarts)`, [
          { obj: withStats, holds: `emits *.${OVERFLOW_STAT} (proxy.istio.io/config proxyStatsMatcher)` },
        ]);
        await x.wait('until the gateway has rolled out', () => x.ops.waitRollout(GATEWAY_REF.namespace!, GATEWAY_REF.name, t.rolloutTimeoutMs));
      }
      await applyAndVerify(x, 'send all of front-end to v1', [
        ...phaseObjects('circuit-breaker', 'all-to-v1').map((obj) => ({ obj, holds: describeRoutes(obj) })),
      ]);
    },

    // "carts is down" runs first, under its own policy, so no breaker of part one can be what
    // answers fast; then the breaker goes on, and stays there with --keep for a look in Kiali.
    async act(x) {
      const carts = await cartsDown(x, t);
      await applyAndVerify(x, 'put a circuit breaker on front-end', [
        ...phaseObjects('circuit-breaker', 'breaker').map((obj) => ({ obj, holds: describePolicy(obj) })),
      ]);
      const { connections, pending } = breakerPolicy();
      await x.traffic(`until every gateway pod enforces ${connections} connection(s) + ${pending} pending request(s) on ${V1_CLUSTER}`, async () => {
        const pool = await pollUntil(async () => enforcesPool(await x.ops.gatewayAdmin('clusters'), V1_CLUSTER, connections, pending), (p) => p.ok, t.enforceTimeoutMs, 500);
        if (!pool.ok) throw new LabError(`the gateway does not enforce the DestinationRule's connection pool ${pool.ms} ms after it was applied`, { detail: JSON.stringify(pool.value.byPod) });
        return { ms: pool.ms, byPod: pool.value.byPod };
      });
      const breaker = await x.traffic(`${LOAD.requests} requests at concurrency ${LOAD.concurrency}, gateway counter read before and after`, async () => {
        const url = `${await x.ops.ingressUrl()}/`;
        const before = readCounter(await x.ops.gatewayAdmin('stats'), V1_CLUSTER, OVERFLOW_STAT);
        const report = await runBreakerCheck({ url, ...LOAD });
        const { after, increase } = await settledIncrease(x, before, report.counts.overflow, t.counterSettleMs);
        return { report, before, after, increase };
      });
      return { breaker, cartsDown: carts };
    },

    assert: (o, skipReason) => [...judge(o.breaker, skipReason, breakerSpecs), ...judge(o.cartsDown, skipReason, cartsDownSpecs(t.cartsDown))],

    async cleanup(x) {
      await x.restore();
      for (const ref of [GATEWAY_REF, CARTS_REF]) {
        if (x.saved(ref)) await x.wait(`until ${ref.namespace}/${ref.name} is rolled out`, () => x.ops.waitRollout(ref.namespace!, ref.name, t.rolloutTimeoutMs));
      }
    },

    diagnose: (x) =>
      x.ops.collect(frontEndDiagnostics(frontEndStats, [
        {
          title: "the gateway's circuit-breaker thresholds for front-end (pilot-agent request GET clusters)",
          tool: 'kubectl',
          args: ['exec', '-n', GATEWAY_REF.namespace!, `deploy/${GATEWAY_REF.name}`, '-c', 'istio-proxy', '--', 'pilot-agent', 'request', 'GET', 'clusters'],
          filter: (l) => l.includes('|front-end.') && (l.includes('_priority::') || l.includes('::health_flags::')),
        },
        { title: `Deployment ${NS}/carts`, tool: 'kubectl', args: ['describe', 'deployment', 'carts', '-n', NS], tailLines: 40 },
        { title: "front-end's sidecar log (its calls to carts)", tool: 'kubectl', args: ['logs', '-n', NS, 'deploy/front-end', '-c', 'istio-proxy', '--tail=40'] },
      ])),
  };
}

export const circuitBreaker = makeCircuitBreaker();
