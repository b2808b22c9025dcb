// What the runner learns about the lab before an exercise runs: whether each need is ready, a need
// this provider skips visibly (sim without a cached chart archive) — no obstacle where there is no
// data plane, an obstacle where there is one — and which steps this profile installs at all
// (ExerciseRun.installed, e.g. loki only with LAB_PROFILE=full). And the runner always closes
// what MeshOps opened, whichever way the run ends.
import test from 'ava';
import { checkNeeds, installedStep } from '../../lab/exercises/readiness.ts';
import type { Step } from '../../lab/steps/types.ts';
import { testConfig, testContext } from '../helpers.ts';
import { runFake } from './fake-exercise.ts';

function step(name: string, o: { enabled?: boolean; skip?: string; done?: boolean } = {}): Step {
  return {
    name, title: name, needs: [],
    enabled: () => o.enabled ?? true,
    skipReason: () => o.skip,
    check: async () => ({ done: o.done ?? true, detail: o.done === false ? 'release missing' : undefined }),
    apply: async () => undefined,
    plan: () => [],
  };
}
const STEPS = [step('istio'), step('jaeger', { skip: 'skipped (sim): chart archive not cached (npm run lab -- charts pull)' }), step('loki', { enabled: false }), step('kiali', { done: false })];

test('sim: a need the provider skips visibly is ready-but-skipped with its reason; a disabled or unfinished one is not ready', async (t) => {
  const { ctx } = testContext(testConfig({ LAB_PROVIDER: 'sim', LAB_CLUSTER_NAME: 'r1' }));
  t.deepEqual(await checkNeeds(ctx, ['istio', 'jaeger', 'loki', 'kiali', 'nope'], STEPS), [
    { step: 'istio', done: true, detail: undefined },
    { step: 'jaeger', done: true, skipped: 'skipped (sim): chart archive not cached (npm run lab -- charts pull)' },
    { step: 'loki', done: false, detail: 'disabled for this configuration (LAB_PROFILE=standard)' },
    { step: 'kiali', done: false, detail: 'release missing' },
    { step: 'nope', done: false, detail: 'no lab step is called nope' },
  ]);
});

test('a provider with a data plane: a skipped need is not ready, saying why', async (t) => {
  const { ctx } = testContext(testConfig());
  const [jaeger] = await checkNeeds(ctx, ['jaeger'], STEPS);
  t.deepEqual(jaeger, { step: 'jaeger', done: false, detail: 'not available on kind: skipped (sim): chart archive not cached (npm run lab -- charts pull)' });
});

test('installedStep: exists and is enabled for this configuration', (t) => {
  const { ctx } = testContext(testConfig());
  t.deepEqual(['istio', 'jaeger', 'loki', 'nope'].map((n) => installedStep(ctx, n, STEPS)), [true, true, false, false]);
});

test('runner: a skipped need is a skipped assertion in a skipped ready step, and the run goes on', async (t) => {
  const { report, calls } = await runFake({}, { checkReady: async () => [{ step: 'istio', done: true }, { step: 'samples', done: true, skipped: 'skipped (sim): chart archive not cached' }] });
  const ready = report.steps.find((s) => s.name === 'ready')!;
  t.deepEqual([ready.status, ready.reason], ['skipped', 'skipped (sim): chart archive not cached']);
  t.deepEqual(ready.assertions.map((a) => [a.status, a.reason]), [['pass', undefined], ['skipped', 'skipped (sim): chart archive not cached']]);
  t.deepEqual(calls, ['setup', 'act', 'assert', 'cleanup:state']);
  t.is(report.status, 'pass');
});

test('runner: ExerciseRun.installed answers from the runner option (default: every step); close() runs once, also when the lab is not ready', async (t) => {
  const seen: boolean[] = [];
  const spy = { installed: (s: string) => s !== 'loki' };
  const { mesh } = await runFake({}, { installed: spy.installed, checkReady: async (needs) => needs.map((s) => ({ step: s, done: true })) });
  t.is(mesh.closed, 1);
  const notReady = await runFake({}, { checkReady: async () => [{ step: 'istio', done: false, detail: 'no' }] });
  t.is(notReady.mesh.closed, 1, 'closed although nothing ran');
  const { createExerciseRun } = await import('../../lab/exercises/run-context.ts');
  const { Snapshot } = await import('../../lab/exercises/snapshot.ts');
  const base = { ops: mesh, dataPlane: true, skipReason: 'skipped', snapshot: new Snapshot(), step: { name: 'act' as const, status: 'pass' as const, startedAt: null, durationMs: 0, actions: [], assertions: [], diagnostics: [] } };
  const withOption = createExerciseRun({ ...base, installed: spy.installed });
  seen.push(withOption.installed('loki'), withOption.installed('jaeger'), createExerciseRun(base).installed('loki'));
  t.deepEqual(seen, [false, true, true]);
});
