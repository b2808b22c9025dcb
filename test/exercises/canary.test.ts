// Contract: the canary exercise end to end against the fake Flagger (fake-flagger.ts) — setup
// hands front-end over, act makes the healthy and the faulty change while the gateway stream runs,
// every assertion passes against an honest Flagger, the phase timeline is in the JSON and the
// text, and cleanup leaves every object of the fake cluster as it was. On sim the Flagger parts run
// when a Flagger acts, and are skipped with the reason when none does.
import test from 'ava';
import type { KubernetesObject } from '@kubernetes/client-node';
import { listLines } from '../../lab/exercises/index.ts';
import { formatExerciseReport } from '../../lab/exercises/report-text.ts';
import { makeCanary } from '../../lab/exercises/canary.ts';
import { runExercise, SIM_SKIP_REASON } from '../../lab/exercises/runner.ts';
import { stateOf } from '../../lab/exercises/snapshot.ts';
import type { CanaryWatch } from '../../lab/exercises/canary-watch.ts';
import type { ExerciseReport } from '../../lab/exercises/types.ts';
import { assertionsOf, FAST, one, runCanary, type CanaryRun } from './canary-fake-run.ts';
import { FlaggerMesh } from './fake-flagger.ts';

const act = (r: ExerciseReport) => r.steps.find((s) => s.name === 'act')!;
const watches = (r: ExerciseReport) => act(r).actions.filter((a) => a.title.startsWith('until Canary front-end has an outcome')).map((a) => a.data as CanaryWatch);

/** Every object the fake cluster held before is there again with the same spec, labels and annotations, and nothing else is. */
function leftAsFound(t: import('ava').ExecutionContext, run: CanaryRun) {
  t.deepEqual([...run.mesh.objects.keys()].sort(), [...run.before.keys()].sort(), 'the same objects as before');
  for (const [k, o] of run.before) t.deepEqual(stateOf(run.mesh.objects.get(k)!), stateOf(o), k);
}

test('an honest Flagger: promoted 10 → 50, the faulty change rolled back, every assertion passes, the lab left as found', async (t) => {
  const run = await runCanary();
  const r = run.report;
  t.is(r.status, 'pass', formatExerciseReport(r));
  t.deepEqual(assertionsOf(r, 'assert').map((a) => a.status), Array(10).fill('pass'));
  t.is(one(r, 'rose in steps').actual, '10 → 20 → 30 → 40 → 50');
  t.is(one(r, 'healthy change: front-end-primary runs').actual, 'pod spec equal, cloud-native-lab/canary-change=healthy-run1, rolled out');
  t.regex(one(r, 'faulty change: front-end-primary unchanged').actual!, /=healthy-run1\)$/);
  const [healthy, faulty] = watches(r);
  t.deepEqual(healthy.timeline.map((e) => `${e.phase}/${e.canaryWeight}`), [
    'Initialized/0', 'Progressing/0', 'Progressing/10', 'Progressing/20', 'Progressing/30', 'Progressing/40', 'Progressing/50', 'Promoting/50', 'Finalising/0', 'Succeeded/0',
  ]);
  t.deepEqual(faulty.timeline.map((e) => `${e.phase}/${e.canaryWeight}`), ['Succeeded/0', 'Progressing/0', 'Progressing/10', 'Failed/0']);
  t.true(healthy.timeline.every((e, i) => i === 0 || e.atMs >= healthy.timeline[i - 1].atMs), 'time only grows');
  const text = formatExerciseReport(r);
  for (const line of [...healthy.lines, ...faulty.lines]) t.true(text.includes(line), line);
  t.regex(text, /gateway stream http:\/\/127\.0\.0\.1:\d+\/catalogue: \d+ requests/);
  t.deepEqual(run.mesh.phases.filter((p, i, all) => p !== all[i - 1]), ['Initializing', 'Initialized', 'Progressing', 'Promoting', 'Finalising', 'Succeeded', 'Progressing', 'Failed']);
  t.deepEqual(assertionsOf(r, 'cleanup').map((a) => a.status), Array(13).fill('pass'));
  leftAsFound(t, run);
});

test('sim with a running Flagger: the Flagger parts run and pass, the gateway stream is skipped visibly', async (t) => {
  const run = await runCanary({}, { dataPlane: false });
  const r = run.report;
  t.is(r.status, 'pass', formatExerciseReport(r));
  t.deepEqual(assertionsOf(r, 'assert').map((a) => a.status), Array(10).fill('pass'));
  const traffic = act(r).actions.filter((a) => a.kind === 'traffic');
  t.deepEqual(traffic.map((a) => [a.status, a.reason]), [['skipped', SIM_SKIP_REASON], ['skipped', SIM_SKIP_REASON]]);
  t.is(act(r).status, 'skipped', 'the step says something was skipped');
  t.is(watches(r).length, 2, 'both analyses were watched');
  leftAsFound(t, run);
});

test('sim without Flagger installed: every canary assertion skipped with the reason, not one object written', async (t) => {
  const run = await runCanary({ noCrd: true }, { dataPlane: false });
  const r = run.report;
  t.is(r.status, 'pass', formatExerciseReport(r));
  const asserted = assertionsOf(r, 'assert');
  t.is(asserted.length, 10);
  for (const a of asserted) {
    t.is(a.status, 'skipped');
    t.regex(a.reason!, /^skipped \(sim\): Flagger is not installed \(no canaries\.flagger\.app CRD\)/);
  }
  t.deepEqual(run.mesh.applies, [], 'nothing applied');
  leftAsFound(t, run);
});

test('sim with the CRD but no controller: skipped once no status came, everything put back', async (t) => {
  const run = await runCanary({ fault: 'never-answers' }, { dataPlane: false });
  const r = run.report;
  t.is(r.status, 'pass', formatExerciseReport(r));
  t.true(assertionsOf(r, 'assert').every((a) => a.status === 'skipped' && /no Flagger acted on the Canary within 0\.4 s/.test(a.reason!)));
  t.true(run.mesh.applies.includes('Canary/sock-shop/front-end'));
  leftAsFound(t, run);
});

test('a cluster with a data plane and no Flagger: setup fails with what to do, cleanup still puts everything back', async (t) => {
  const silent = await runCanary({ fault: 'never-answers' });
  t.is(silent.report.status, 'fail');
  t.regex(silent.report.steps.find((s) => s.name === 'setup')!.error!.message, /no Flagger acted on the Canary within 0\.4 s/);
  t.is(silent.report.steps.find((s) => s.name === 'act')!.status, 'skipped');
  leftAsFound(t, silent);
  const absent = await runCanary({ noCrd: true });
  t.regex(absent.report.steps.find((s) => s.name === 'setup')!.error!.message, /Flagger is not installed .*LAB_PROFILE=standard or full/);
  leftAsFound(t, absent);
});

test('a Canary left by an earlier --keep run: setup refuses with the commands that clear it, and changes nothing', async (t) => {
  const mesh = new FlaggerMesh();
  await mesh.apply([{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'front-end-primary', namespace: 'sock-shop' }, spec: {} } as KubernetesObject]);
  mesh.applies.length = 0;
  const r = await runExercise({ exercise: makeCanary(FAST), ops: mesh, provider: 'kind', dataPlane: true, keep: false, checkReady: async (n) => n.map((step) => ({ step, done: true })) });
  const setup = r.steps.find((s) => s.name === 'setup')!;
  t.regex(setup.error!.message, /Deployment\/sock-shop\/front-end-primary already exists \(left by `--keep`\?\)/);
  t.regex(setup.error!.detail!, /kubectl delete canary front-end -n sock-shop/);
  t.deepEqual(mesh.applies, []);
});

test('--list shows the canary exercise with what it needs', (t) => {
  const lines = listLines();
  const i = lines.findIndex((l) => l.startsWith('canary '));
  t.true(i >= 0, lines.join('\n'));
  t.regex(lines[i], /promoted in steps of 10 to 50 within 180 s, a faulty one \(500s\) rolled back within 60 s/);
  t.is(lines[i + 1].trim(), 'needs: istio, samples, kube-prometheus-stack, flagger, flagger-loadtester');
});

test('the deadlines are judged in the fake Flagger\'s time: two runs, one on a busy event loop, give the same timelines to the millisecond', async (t) => {
  const timelines = (r: ExerciseReport) => watches(r).map((w) => w.timeline.map((e) => `${e.atMs}:${e.phase}/${e.canaryWeight}`));
  const first = await runCanary();
  // Starve the event loop for 2 ms in every 3 while the second run goes: real time drifts, the clock does not.
  const hog = setInterval(() => { const end = Date.now() + 2; while (Date.now() < end); }, 3);
  try {
    const second = await runCanary();
    t.deepEqual(timelines(second.report), timelines(first.report));
    t.is(second.report.status, 'pass', formatExerciseReport(second.report));
  } finally {
    clearInterval(hog);
  }
  const [healthy] = watches(first.report);
  t.true(healthy.timeline.every((e) => e.atMs % 5 === 0), 'every reading on a 5 ms poll of the virtual clock');
});
