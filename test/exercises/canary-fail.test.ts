// Every assertion of the canary exercise must be able to fail: each test runs the exercise against a
// fake Flagger that misbehaves in one way (fake-flagger.ts Fault) and checks that exactly the
// assertions meant to catch it fail, with what was seen in their message — and that the rest pass.
import test from 'ava';
import { formatExerciseReport } from '../../lab/exercises/report-text.ts';
import { failedNames, one, runCanary } from './canary-fake-run.ts';

const H = {
  outcome: 'healthy change: Canary front-end Succeeded within 1.5 s',
  promoted: 'healthy change: condition Promoted is True (Succeeded)',
  steps: 'healthy change: canaryWeight rose in steps of 10 to 50',
  primary: 'healthy change: front-end-primary runs the new template',
  routes: 'healthy change: VirtualService front-end routes front-end-primary=100, front-end-canary=0',
};
const F = {
  outcome: 'faulty change: Canary front-end Failed within 0.6 s',
  promoted: 'faulty change: condition Promoted is False (Failed)',
  analysed: 'faulty change: the analysis ran (canaryWeight reached 10) before the rollback',
  primary: 'faulty change: front-end-primary unchanged',
  routes: 'faulty change: VirtualService front-end routes front-end-primary=100, front-end-canary=0',
};

test('a Flagger that never picks the change up: neither outcome, no steps, the primary never gets the new template', async (t) => {
  const { report: r } = await runCanary({ fault: 'never-progresses' }, { timing: { overrunMs: 100 } });
  t.deepEqual(failedNames(r), [H.outcome, H.promoted, H.steps, H.primary, F.outcome, F.promoted, F.analysed]);
  t.regex(one(r, H.outcome).actual!, /^no outcome after 1\.\d s: Initialized at canaryWeight 0 \(never Progressing: the change was not picked up\)$/);
  t.is(one(r, H.promoted).actual, 'True (Initialized): Deployment initialization completed.');
  t.is(one(r, H.steps).actual, 'no weight above 0 seen');
  // The annotation is all the healthy change changes: the pod specs stay equal.
  t.is(one(r, H.primary).actual, 'cloud-native-lab/canary-change=(absent), not healthy-run1; rollout not finished: not waited for');
});

test('a Flagger that stalls at the first step: no outcome, the weights stop at 10', async (t) => {
  const { report: r } = await runCanary({ fault: 'stalls' }, { timing: { overrunMs: 100 } });
  t.deepEqual(failedNames(r), [H.outcome, H.promoted, H.steps, H.primary, H.routes, F.outcome, F.promoted, F.routes]);
  t.regex(one(r, H.outcome).actual!, /^no outcome after 1\.\d s: Progressing at canaryWeight 10$/);
  t.is(one(r, H.steps).actual, '10');
  t.is(one(r, H.routes).actual, 'front-end-primary=90, front-end-canary=10');
  t.is(one(r, F.analysed).status, 'pass', 'it did shift weight');
});

test('a Flagger that promotes the faulty canary: the faulty outcome, its condition and the untouched primary fail', async (t) => {
  const { report: r } = await runCanary({ fault: 'promotes-faulty' });
  t.deepEqual(failedNames(r), [F.outcome, F.promoted, F.primary], formatExerciseReport(r));
  t.regex(one(r, F.outcome).actual!, /^Succeeded 0\.\d s after Progressing \(0\.\d s after the change\)$/);
  t.is(one(r, F.promoted).actual, 'True (Succeeded): Canary analysis completed successfully, promotion finished.');
  t.regex(one(r, F.primary).actual!, /^changed: .*command.*"node","server\.js","--domain=lab-faulty\.invalid"/);
});

test('a Flagger that rolls back the healthy canary: every healthy assertion but the route fails', async (t) => {
  const { report: r } = await runCanary({ fault: 'rolls-back-healthy' });
  t.deepEqual(failedNames(r), [H.outcome, H.promoted, H.steps, H.primary]);
  t.regex(one(r, H.outcome).actual!, /^Failed 0\.\d s after Progressing \(0\.\d s after the change\)$/);
  t.is(one(r, H.promoted).actual, 'False (Failed): Canary analysis failed, Deployment scaled to zero.');
  t.is(one(r, H.steps).actual, '10');
});

test('a Flagger that jumps straight to maxWeight: only the steps fail', async (t) => {
  const { report: r } = await runCanary({ fault: 'jumps-to-max' });
  t.deepEqual(failedNames(r), [H.steps]);
  t.is(one(r, H.steps).actual, '50');
  t.is(one(r, H.steps).numbers.steps, 1);
});

test('a Flagger that succeeds without updating the primary: only "runs the new template" fails, with the difference', async (t) => {
  const { report: r } = await runCanary({ fault: 'primary-not-updated' });
  t.deepEqual(failedNames(r), [H.primary]);
  t.regex(one(r, H.primary).actual!, /cloud-native-lab\/canary-change=\(absent\), not healthy-run1/);
});

test('a Flagger that leaves the route at the canary\'s weight after the rollback: only the faulty route fails', async (t) => {
  const { report: r } = await runCanary({ fault: 'vs-left-at-canary' });
  t.deepEqual(failedNames(r), [F.routes]);
  t.is(one(r, F.routes).actual, 'front-end-primary=90, front-end-canary=10');
  t.deepEqual([one(r, F.routes).numbers.primary, one(r, F.routes).numbers.canary], [90, 10]);
});

test('a Flagger that never writes the Promoted condition: both condition assertions fail, the phases still pass', async (t) => {
  const { report: r } = await runCanary({ fault: 'no-promoted-condition' });
  t.deepEqual(failedNames(r), [H.promoted, F.promoted]);
  t.is(one(r, H.promoted).actual, 'no Promoted condition');
  t.is(one(r, H.outcome).status, 'pass');
});

test('a slow Flagger: the right outcomes, too late — only the two deadlines fail, with the time it took', async (t) => {
  const { report: r } = await runCanary({ fault: 'slow', slowFactor: 12 });
  t.deepEqual(failedNames(r), [H.outcome, F.outcome]);
  const [h, f] = [one(r, H.outcome), one(r, F.outcome)];
  t.regex(h.actual!, /^Succeeded \d\.\d s after Progressing \(\d\.\d s after the change\)$/);
  t.regex(f.actual!, /^Failed \d\.\d s after Progressing/);
  t.true((h.numbers.analysisS as number) > 1.5 && (f.numbers.analysisS as number) > 0.6, `${h.numbers.analysisS} ${f.numbers.analysisS}`);
});

test('a Flagger that fails the faulty canary before shifting any weight: "the analysis ran" fails', async (t) => {
  const { report: r } = await runCanary({ fault: 'rolls-back-at-zero' });
  t.deepEqual(failedNames(r), [F.analysed]);
  t.is(one(r, F.analysed).actual, 'never above 0');
});

test('a Flagger that never initialises: setup fails with the Initialized assertion, the lab is put back', async (t) => {
  const { report: r } = await runCanary({ fault: 'never-initializes' });
  t.deepEqual(failedNames(r), ['Canary front-end Initialized']);
  t.regex(one(r, 'Canary front-end Initialized').actual!, /^Initializing after 1\.\d s/);
  t.regex(r.steps.find((s) => s.name === 'setup')!.error!.message, /did not initialise Canary front-end: Initializing/);
  t.true(r.steps.find((s) => s.name === 'cleanup')!.assertions.every((a) => a.status === 'pass'));
});

test('a Flagger that initialises without taking over Service and route: the takeover assertion fails with both', async (t) => {
  const { report: r } = await runCanary({ fault: 'no-takeover' });
  t.true(failedNames(r).includes('Flagger took over front-end: Service → front-end-primary, VirtualService front-end-primary=100/front-end-canary=0, front-end scaled to 0'));
  t.is(one(r, 'Flagger took over').actual, 'Service front-end selects app=front-end; VirtualService front-end routes front-end=0');
});

test('a finalizer that never runs: "Canary deleted" fails with the finalizer and how to release it', async (t) => {
  const { report: r } = await runCanary({ fault: 'finalizer-stuck' }, { timing: { deleteDeadlineMs: 200 } });
  t.deepEqual(failedNames(r), ['Canary front-end deleted (Flagger\'s revertOnDeletion finalizer ran)']);
  const a = one(r, 'Canary front-end deleted');
  t.regex(a.actual!, /^still there after 0\.\d s \(Failed, finalizers \["finalizer\.flagger\.app"\]\)$/);
  t.regex(a.reason!, /kubectl patch canary front-end -n sock-shop --type=merge/);
});

test('a Flagger that lets the Canary go without reverting: the revert assertion fails; the restore still puts everything back', async (t) => {
  const { report: r } = await runCanary({ fault: 'no-revert' });
  t.deepEqual(failedNames(r), ['Flagger reverted front-end on deletion: Service, replicas and route as the lab had them']);
  t.regex(one(r, 'Flagger reverted').actual!, /^Service front-end selects app=front-end-primary, not app=front-end; front-end has 0 replicas, not 1; VirtualService front-end: /);
  t.true(r.steps.find((s) => s.name === 'cleanup')!.assertions.filter((a) => /restored exactly|deleted/.test(a.name)).every((a) => a.status === 'pass'));
});
