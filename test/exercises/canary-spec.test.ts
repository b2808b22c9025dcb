// The Canary's numbers and names: the arithmetic that keeps promotion ≤ 3 min and rollback ≤ 1 min
// (and fails for a Canary that would not), the weights Flagger passes through, the Canary agreeing
// with the lab's own front-end (Service port, route hosts and gateway) so that Flagger changes only
// what the exercise says it does, the webhook URL being ENDPOINTS.flaggerLoadtester, the load
// test hitting the canary's own Service, and the two template changes.
import test from 'ava';
import type { KubernetesObject, V1Deployment, V1Service } from '@kubernetes/client-node';
import { durationMs } from '../../lab/exercises/duration.ts';
import { analysisOf, canaryObject, LOADTESTER_URL, PROMOTION_BUDGET_MS, ROLLBACK_BUDGET_MS, SERVICE_REF, TARGET_REF, type CanaryObject } from '../../lab/exercises/canary-spec.ts';
import { FAULTY_COMMAND, markOf, withChange } from '../../lab/exercises/canary-changes.ts';
import { LAB_VS_REF } from '../../lab/exercises/canary-spec.ts';
import { describeRef, refOf, type ObjRef } from '../../lab/kube.ts';
import { renderSockShop } from '../../lab/samples/sock-shop.ts';
import { validateObjects } from '../../lab/samples/validate.ts';
import { clusterUrl, ENDPOINTS } from '../../lab/observability/endpoints.ts';

const sock = renderSockShop();
const find = <T extends KubernetesObject>(r: ObjRef) => sock.find((o) => describeRef(refOf(o)) === describeRef(r)) as T;
const withAnalysis = (patch: Partial<CanaryObject['spec']['analysis']>): CanaryObject => {
  const c = canaryObject();
  c.spec.analysis = { ...c.spec.analysis, ...patch };
  return c;
};

test('the manifest\'s numbers: 5 steps of 10 to 50; from Progressing, promotion 80 s and rollback 50 s by Flagger\'s runs, within the budgets', (t) => {
  const a = analysisOf();
  t.deepEqual(a.steps, [10, 20, 30, 40, 50]);
  t.is(a.intervalMs, 10_000);
  t.is(a.promotionMs, 80_000, '5 steps + promote + route back + finalise');
  t.is(a.rollbackMs, 50_000, 'first weight + 3 failed checks + roll back');
  t.true(a.promotionMs <= PROMOTION_BUDGET_MS && a.rollbackMs <= ROLLBACK_BUDGET_MS);
  // room for what a real cluster adds: the checks a healthy canary may fail while its metrics warm
  // up (threshold − 1), and one run lost waiting for the canary's pods to be ready
  t.true(a.promotionMs + (a.threshold - 1 + 1) * a.intervalMs <= PROMOTION_BUDGET_MS);
  t.true(a.rollbackMs + a.intervalMs <= ROLLBACK_BUDGET_MS);
  // and from the change, with Flagger's detection: ≤ 90 s and ≤ 60 s
  t.deepEqual([a.detectionMs + a.promotionMs, a.detectionMs + a.rollbackMs], [90_000, 60_000]);
});

test('the arithmetic can fail: a higher threshold or smaller steps break the budgets; Flagger\'s 10 s floor and its overshoot', (t) => {
  t.true(analysisOf(withAnalysis({ threshold: 5 })).rollbackMs > ROLLBACK_BUDGET_MS);
  t.true(analysisOf(withAnalysis({ stepWeight: 2 })).promotionMs > PROMOTION_BUDGET_MS);
  t.true(analysisOf(withAnalysis({ interval: '1m' })).rollbackMs > ROLLBACK_BUDGET_MS, "seed 001's 1 m interval");
  t.is(analysisOf(withAnalysis({ interval: '5s' })).intervalMs, 10_000, 'GetAnalysisInterval never goes below 10 s');
  t.deepEqual(analysisOf(withAnalysis({ stepWeight: 20 })).steps, [20, 40, 60], 'the last step overshoots maxWeight, as runCanary does');
  t.deepEqual([durationMs('10s'), durationMs('1m'), durationMs('1m30s'), durationMs('250ms')], [10_000, 60_000, 90_000, 250]);
  t.throws(() => durationMs('10'), { message: /not a duration/ });
});

test('the Canary fits the lab\'s front-end: the Service\'s port as it is, the route\'s hosts and gateway, the target', (t) => {
  const c = canaryObject();
  const port = find<V1Service>(SERVICE_REF).spec!.ports![0];
  t.deepEqual({ port: c.spec.service.port, targetPort: c.spec.service.targetPort, portName: c.spec.service.portName }, { port: port.port, targetPort: port.targetPort, portName: port.name });
  const vs = find<KubernetesObject & { spec: { hosts: string[]; gateways: string[] } }>(LAB_VS_REF);
  t.deepEqual([c.spec.service.hosts, c.spec.service.gateways], [vs.spec.hosts, vs.spec.gateways]);
  t.deepEqual(c.spec.targetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: find(TARGET_REF).metadata!.name });
  t.true(c.spec.revertOnDeletion);
  t.deepEqual(c.spec.analysis.metrics.map((m) => [m.name, m.thresholdRange]), [['request-success-rate', { min: 99 }], ['request-duration', { max: 500 }]]);
  t.deepEqual(validateObjects([c]), []);
});

test('the load test: through ENDPOINTS.flaggerLoadtester, against the canary\'s own Service on a path that calls a backend', (t) => {
  const hooks = canaryObject().spec.analysis.webhooks!;
  t.is(hooks.length, 1);
  t.deepEqual([hooks[0].type, hooks[0].url, hooks[0].metadata?.type], ['rollout', LOADTESTER_URL, 'cmd']);
  t.is(LOADTESTER_URL, clusterUrl(ENDPOINTS.flaggerLoadtester));
  t.is(LOADTESTER_URL, 'http://flagger-loadtester.sock-shop.svc.cluster.local:80/');
  t.regex(hooks[0].metadata!.cmd, /^hey -z 1m -q \d+ -c \d+ http:\/\/front-end-canary\.sock-shop\/catalogue$/);
});

test('the changes: healthy adds only the annotation; faulty also starts front-end with --domain; both keep the replicas Flagger set', (t) => {
  const live = structuredClone(find<V1Deployment>(TARGET_REF));
  live.spec!.replicas = 0;
  const healthy = withChange(live, 'healthy', 'r1');
  const faulty = withChange(healthy, 'faulty', 'r1');
  t.is(markOf(healthy), 'healthy-r1');
  t.is(markOf(faulty), 'faulty-r1');
  t.deepEqual(healthy.spec!.template.spec, live.spec!.template.spec, 'the pod spec is untouched by the healthy change');
  t.deepEqual(faulty.spec!.template.spec!.containers[0].command, FAULTY_COMMAND);
  t.deepEqual(FAULTY_COMMAND, ['node', 'server.js', '--domain=lab-faulty.invalid']);
  t.deepEqual(withChange(faulty, 'healthy', 'r2').spec!.template.spec, live.spec!.template.spec, 'a healthy change after a faulty one drops the command');
  t.deepEqual([healthy.spec!.replicas, faulty.spec!.replicas], [0, 0]);
  t.deepEqual(validateObjects([faulty]), []);
});
