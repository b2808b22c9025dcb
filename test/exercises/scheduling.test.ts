// The scheduling exercise against the fake scheduler (scheduling-fake.ts) on a virtual clock: the
// honest cluster passes every assertion with its numbers and is left as found; each misbehaviour
// fails exactly the assertions meant to catch it, with the observed value in the message; the
// nodes are put back whatever happened.
import test from 'ava';
import { UTILITY_IMAGE } from '../../lab/versions.ts';
import { runExercise } from '../../lab/exercises/runner.ts';
import { probePod } from '../../lab/exercises/scheduling-cordon.ts';
import { makeScheduling, NO_APP_NODE_REASON } from '../../lab/exercises/scheduling.ts';
import { readSchedulerMessage } from '../../lab/exercises/scheduling-specs.ts';
import type { ExerciseReport } from '../../lab/exercises/types.ts';
import { SchedulerMesh, type SchedulerOptions } from './scheduling-fake.ts';
import { VirtualClock } from './virtual-clock.ts';
import { assertionsOf, failedNames, one } from './report-picks.ts';

async function run(o: Omit<SchedulerOptions, 'clock'> = {}) {
  const clock = new VirtualClock();
  const mesh = new SchedulerMesh({ clock, ...o });
  const before = new Map([...mesh.nodes].map(([k, v]) => [k, structuredClone(v)]));
  const exercise = makeScheduling({ pendingTimeoutMs: 5_000, holdMs: 1_000, scheduleTimeoutMs: 5_000, pollMs: 100, clock });
  const report = await runExercise({ exercise, ops: mesh, provider: 'kind', dataPlane: true, keep: false, checkReady: async (n) => n.map((step) => ({ step, done: true })) });
  return { report, mesh, before };
}

const failed = (r: ExerciseReport) => failedNames(r);
const steps = (r: ExerciseReport) => r.steps.map((s) => [s.name, s.status]);
const STAYS = 'the probe stays Pending';
const REASON = "the scheduler's reason is Unschedulable";
const SCHEDULED = 'the probe is scheduled on an app node';
const CORDONED = 'every app node unschedulable';
const COUNT = 'every lab pod on its node group (count)';

test('the probe manifest: app node group only, the lab\'s utility image, no sidecar', (t) => {
  const p = probePod();
  t.is(p.spec?.nodeSelector?.['node.kubernetes.io/nodegroup'], 'app');
  t.is(p.spec?.containers[0].image, UTILITY_IMAGE);
  t.is(p.metadata?.labels?.['sidecar.istio.io/inject'], 'false');
});

test('readSchedulerMessage reads kube-scheduler\'s summary', (t) => {
  // The condition's message from the real scheduler on sim (test/cluster/scheduling.test.ts).
  t.deepEqual(readSchedulerMessage("0/5 nodes are available: 1 node(s) had untolerated taint(s), 1 node(s) were unschedulable, 3 node(s) didn't match Pod's node affinity/selector. no new claims to deallocate, preemption: 0/5 nodes are available: 5 Preemption is not helpful for scheduling."), { available: 0, total: 5, unschedulable: 1 });
  t.deepEqual(readSchedulerMessage(undefined), { available: null, total: null, unschedulable: 0 });
});

test('honest cluster: every assertion passes with its numbers; nodes and pods left as found', async (t) => {
  const { report, mesh, before } = await run();
  t.deepEqual(steps(report), [['ready', 'pass'], ['setup', 'pass'], ['act', 'pass'], ['assert', 'pass'], ['diagnose', 'skipped'], ['cleanup', 'pass']]);
  t.deepEqual(failed(report), []);
  const count = one(report, COUNT);
  t.true((count.numbers.judged as number) >= 16, JSON.stringify(count));
  t.is(count.numbers.onGroup, count.numbers.judged);
  t.is(count.numbers.notJudged, 1, 'the ownerless debug pod is not judged');
  t.regex(one(report, '(Deployment carts)').actual!, /^on lab-worker \(app\)$/);
  t.regex(one(report, 'istio-system/istiod-').actual!, /^on lab-worker4 \(system\)$/);
  t.regex(one(report, 'node-exporter').actual!, /^on lab-control-plane \(no group label\)$/);
  t.regex(one(report, STAYS).actual!, /^PodScheduled False after \d+ ms; unbound 1000 ms later$/);
  t.regex(one(report, REASON).actual!, /^reason Unschedulable: "0\/5 nodes are available: 1 node\(s\) had untolerated taint\(s\), 1 node\(s\) were unschedulable/);
  t.deepEqual([one(report, REASON).numbers.total, one(report, REASON).numbers.unschedulableInMessage], [5, 1]);
  const bound = one(report, SCHEDULED);
  t.regex(bound.actual!, /^bound to lab-worker \(app\) \d+ ms after the uncordon$/);
  t.true((bound.numbers.ms as number) <= 5_000);
  t.is(one(report, 'node lab-worker: spec.unschedulable back to false').status, 'pass');
  t.is(one(report, 'Pod/sock-shop/scheduling-probe (created by the exercise) deleted').status, 'pass');
  t.deepEqual(mesh.commanded.map((c) => c.join(' ')), ['kubectl cordon lab-worker', 'kubectl uncordon lab-worker']);
  t.deepEqual(new Map(mesh.nodes), before);
  t.false(mesh.pods.has('Pod/sock-shop/scheduling-probe'));
});

test('a sock-shop pod on a system node fails its own assertion and the count, naming the node', async (t) => {
  const { report } = await run({ faults: ['wrong-group'] });
  const bad = failed(report);
  t.is(bad.length, 2, bad.join(' | '));
  t.true(bad.includes(`placement: ${COUNT}`));
  const pod = assertionsOf(report).find((a) => a.status === 'fail' && a.name !== `placement: ${COUNT}`)!;
  t.is(pod.actual, 'on lab-worker4 (system)');
  t.deepEqual([pod.numbers.nodeGroup, pod.numbers.intended], ['system', 'app']);
  t.regex(one(report, COUNT).actual!, /^\d+ of \d+ on their group; off it: sock-shop\/.* on lab-worker4 \(system\), wants app/);
});

test('a pod never scheduled fails its assertion and the count', async (t) => {
  const { report } = await run({ faults: ['pending-pod'] });
  const pod = assertionsOf(report).find((a) => a.status === 'fail' && a.name !== `placement: ${COUNT}`)!;
  t.is(pod.actual, 'on not scheduled (Pending)');
  t.is(failed(report).length, 2);
});

test('a cordon the cluster ignores: the probe is bound, failing the cordon, Pending and reason assertions', async (t) => {
  const { report } = await run({ faults: ['cordon-ignored'] });
  t.deepEqual(failed(report).sort(), [`cordon: ${CORDONED}`, `cordon: ${REASON}, counting the cordoned app node(s)`, one(report, STAYS).name].sort());
  t.regex(one(report, CORDONED).actual!, /^0 of 1 unschedulable \(1 cordoned by the exercise\)$/);
  t.regex(one(report, STAYS).actual!, /^bound to lab-worker after \d+ ms, while cordoned$/);
  t.is(one(report, REASON).actual, 'reason undefined: ""');
});

test('a probe never scheduled after the uncordon fails "scheduled", with the time waited', async (t) => {
  const { report } = await run({ faults: ['never-scheduled'] });
  t.deepEqual(failed(report), [one(report, SCHEDULED).name]);
  t.regex(one(report, SCHEDULED).actual!, /^still unbound after 5\d{3} ms: Unschedulable "0\/5 nodes/);
  t.is(one(report, 'node lab-worker: spec.unschedulable back to false').status, 'pass');
});

test('another scheduler reason fails the reason assertion only, quoting it', async (t) => {
  const { report } = await run({ faults: ['other-reason'] });
  t.deepEqual(failed(report), [one(report, REASON).name]);
  t.regex(one(report, REASON).actual!, /^reason SchedulerError: /);
});

test('no PodScheduled condition ever: Pending and reason fail after the deadline', async (t) => {
  const { report } = await run({ faults: ['no-condition'] });
  t.deepEqual(failed(report).sort(), [one(report, REASON).name, one(report, STAYS).name].sort());
  t.regex(one(report, STAYS).actual!, /^no PodScheduled=False after 5\d{3} ms \(no condition\)$/);
  t.is(one(report, REASON).actual, 'no PodScheduled condition');
});

test('an uncordon that changes nothing: the probe stays unbound and cleanup reports the node still cordoned', async (t) => {
  const { report, mesh } = await run({ faults: ['uncordon-ignored'] });
  t.deepEqual(failed(report).sort(), [one(report, SCHEDULED).name, 'node lab-worker: spec.unschedulable back to false'].sort());
  t.is(one(report, 'back to false').actual, 'unschedulable = true');
  t.deepEqual(mesh.commanded.map((c) => c.join(' ')), ['kubectl cordon lab-worker', 'kubectl uncordon lab-worker', 'kubectl uncordon lab-worker']);
});

test('a cordon that fails: act errors, cleanup still checks the node and removes nothing it did not make', async (t) => {
  const { report } = await run({ faults: ['cordon-fails'] });
  t.deepEqual(steps(report), [['ready', 'pass'], ['setup', 'pass'], ['act', 'error'], ['assert', 'skipped'], ['diagnose', 'pass'], ['cleanup', 'pass']]);
  t.regex(report.steps[2].error!.message, /kubectl cordon lab-worker exited 1/);
  t.is(one(report, 'back to false').status, 'pass');
});

test('one of two app nodes cordoned beforehand: only the other is cordoned and uncordoned; it stays cordoned', async (t) => {
  const { report, mesh, before } = await run({ appNodes: 2, preCordoned: [1] });
  t.deepEqual(failed(report), []);
  t.deepEqual(one(report, REASON).numbers.unschedulableInMessage, 2);
  t.regex(one(report, SCHEDULED).actual!, /^bound to lab-worker \(app\)/);
  t.deepEqual(mesh.commanded.map((c) => c.join(' ')), ['kubectl cordon lab-worker', 'kubectl uncordon lab-worker']);
  t.true(mesh.nodes.get('lab-worker2')!.spec!.unschedulable);
  t.deepEqual(new Map(mesh.nodes), before);
});

test('the only app node cordoned beforehand: the probe is never scheduled (fails), the node stays cordoned', async (t) => {
  const { report, mesh } = await run({ preCordoned: [0] });
  t.deepEqual(failed(report), [one(report, SCHEDULED).name]);
  t.deepEqual(mesh.commanded, []);
  t.is(one(report, 'node lab-worker: spec.unschedulable back to true').status, 'pass');
});

test('no app node at all: part (b) skipped with the reason, the pods meant for it fail', async (t) => {
  const { report } = await run({ appNodes: 0 });
  for (const n of [CORDONED, STAYS, REASON, SCHEDULED]) {
    t.deepEqual([one(report, n).status, one(report, n).reason], ['skipped', NO_APP_NODE_REASON]);
  }
  t.is(one(report, COUNT).status, 'fail');
});
