// The exercise runner with a fake exercise over the in-memory mesh: cleanup always runs (after a
// failed setup, act or assertion, and after Ctrl-C), --keep skips it, diagnose only after a failure,
// a lab that is not ready runs nothing, and without a data plane the traffic is skipped visibly.
import test from 'ava';
import { SIM_SKIP_REASON } from '../../lab/exercises/runner.ts';
import type { ExerciseReport } from '../../lab/exercises/types.ts';
import { runFake } from './fake-exercise.ts';

const step = (r: ExerciseReport, name: string) => r.steps.find((s) => s.name === name)!;
const statuses = (r: ExerciseReport) => Object.fromEntries(r.steps.map((s) => [s.name, s.status]));

test('a passing run: every phase in order, no diagnose, cleanup restores the recorded object', async (t) => {
  const { report, calls, weights } = await runFake({});
  t.deepEqual(calls, ['setup', 'act', 'assert', 'cleanup:state']);
  t.deepEqual(statuses(report), { ready: 'pass', setup: 'pass', act: 'pass', assert: 'pass', diagnose: 'skipped', cleanup: 'pass' });
  t.is(step(report, 'diagnose').reason, 'not needed: nothing failed');
  t.deepEqual(weights, { v1: 100, v2: 0 }, 'the sample 100/0 is back');
  t.deepEqual(step(report, 'cleanup').assertions.map((a) => [a.name, a.status]), [['VirtualService/sock-shop/front-end restored exactly', 'pass']]);
  t.is(report.status, 'pass');
  t.deepEqual(report.counts, { passed: 4, failed: 0, skipped: 0, errors: 0 });
  t.deepEqual(step(report, 'act').actions.map((a) => [a.kind, a.title, a.status, a.data]), [['traffic', 'send traffic', 'pass', 42]]);
});

test('a failed assertion: diagnose runs before cleanup, cleanup still restores', async (t) => {
  const { report, calls, mesh, weights } = await runFake({ failAssert: true });
  t.deepEqual(calls, ['setup', 'act', 'assert', 'diagnose', 'cleanup:state']);
  t.is(report.status, 'fail');
  t.is(step(report, 'assert').status, 'fail');
  const a = step(report, 'assert').assertions[0];
  t.deepEqual([a.status, a.actual, a.numbers], ['fail', 'value = 42', { value: 42 }]);
  t.deepEqual(step(report, 'diagnose').diagnostics.map((d) => [d.title, d.argv]), [['events', ['kubectl', 'get', 'events']]]);
  t.is(mesh.collected.length, 1);
  t.deepEqual(weights, { v1: 100, v2: 0 });
});

test('setup throws: act and assert do not run, cleanup runs without state and undoes what setup changed', async (t) => {
  const { report, calls, weights } = await runFake({ setupThrows: true });
  t.deepEqual(calls, ['setup', 'diagnose', 'cleanup:no state']);
  t.deepEqual(statuses(report), { ready: 'pass', setup: 'error', act: 'skipped', assert: 'skipped', diagnose: 'pass', cleanup: 'pass' });
  t.deepEqual(step(report, 'setup').error, { message: 'setup broke', detail: 'the detail' });
  t.is(step(report, 'act').reason, 'not run: setup did not complete');
  t.deepEqual(weights, { v1: 100, v2: 0 }, 'the 80/20 setup applied before failing was reverted');
  t.is(report.counts.errors, 1);
});

test('act throws: assert is not evaluated, cleanup runs', async (t) => {
  const { report, calls } = await runFake({ actThrows: true });
  t.deepEqual(calls, ['setup', 'act', 'diagnose', 'cleanup:state']);
  t.is(step(report, 'act').error?.message, 'act broke');
  t.is(step(report, 'assert').reason, 'not evaluated: act did not complete');
});

test('--keep: cleanup is skipped and the change stays; diagnose still runs on failure', async (t) => {
  const kept = await runFake({}, { keep: true });
  t.deepEqual(kept.calls, ['setup', 'act', 'assert']);
  t.is(step(kept.report, 'cleanup').status, 'skipped');
  t.regex(step(kept.report, 'cleanup').reason!, /^--keep/);
  t.deepEqual(kept.weights, { v1: 80, v2: 20 });
  t.true(kept.report.kept);
  const failed = await runFake({ failAssert: true }, { keep: true });
  t.deepEqual(failed.calls, ['setup', 'act', 'assert', 'diagnose']);
});

test('a cleanup that throws makes the run fail', async (t) => {
  const { report } = await runFake({ cleanupThrows: true });
  t.is(step(report, 'cleanup').status, 'error');
  t.is(step(report, 'cleanup').error?.message, 'cleanup broke');
  t.is(report.status, 'fail');
});

test('not ready: nothing runs, the report says what is missing and what to run', async (t) => {
  const { report, calls, mesh } = await runFake({}, {
    checkReady: async () => [{ step: 'istio', done: true }, { step: 'samples', done: false, detail: 'VirtualService/sock-shop/front-end differs' }],
    fixHint: 'npm run lab -- up',
  });
  t.deepEqual(calls, []);
  t.deepEqual(mesh.applies, []);
  t.deepEqual(statuses(report), { ready: 'error', diagnose: 'skipped', cleanup: 'skipped' });
  t.is(step(report, 'ready').error?.message, 'fake needs samples, which is not ready; run: npm run lab -- up');
  t.is(step(report, 'ready').error?.detail, 'samples: VirtualService/sock-shop/front-end differs');
  t.deepEqual(step(report, 'ready').assertions.map((a) => a.status), ['pass', 'fail']);
});

test('no data plane: traffic skipped visibly in act and assert, setup and cleanup run for real, status pass', async (t) => {
  const { report, calls, mesh } = await runFake({}, { dataPlane: false, provider: 'sim' });
  t.deepEqual(calls, ['setup', 'act', 'assert', 'cleanup:state']);
  t.deepEqual(statuses(report), { ready: 'pass', setup: 'pass', act: 'skipped', assert: 'skipped', diagnose: 'skipped', cleanup: 'pass' });
  t.is(step(report, 'act').reason, SIM_SKIP_REASON);
  t.deepEqual(step(report, 'act').actions.map((a) => [a.status, a.reason]), [['skipped', SIM_SKIP_REASON]]);
  t.deepEqual(step(report, 'assert').assertions.map((a) => [a.status, a.reason, a.actual]), [['skipped', SIM_SKIP_REASON, null]]);
  t.deepEqual(mesh.applies, ['VirtualService/sock-shop/front-end', 'VirtualService/sock-shop/front-end'], 'setup and the restore wrote');
  t.is(report.status, 'pass');
  t.deepEqual(report.counts, { passed: 3, failed: 0, skipped: 1, errors: 0 });
});

test('Ctrl-C during act: the phase is abandoned, cleanup runs, no diagnose, status fail', async (t) => {
  const abort = new AbortController();
  setTimeout(() => abort.abort(), 100);
  const { report, calls, weights } = await runFake({ actWaitsMs: 600 }, { interrupt: abort.signal });
  t.deepEqual(calls, ['setup', 'act', 'cleanup:state']);
  t.regex(step(report, 'act').error!.message, /^interrupted \(Ctrl-C\)/);
  t.is(step(report, 'diagnose').reason, 'not run: interrupted');
  t.deepEqual(weights, { v1: 100, v2: 0 });
  t.is(report.status, 'fail');
  await new Promise((r) => setTimeout(r, 700));
  t.false(report.steps.some((s) => s.actions.some((a) => a.title === 'send traffic')), 'the abandoned act could not start its traffic after the interrupt');
});

test('timings: every step that ran has a start time and a duration', async (t) => {
  const { report } = await runFake({});
  for (const s of report.steps.filter((x) => x.status !== 'skipped')) {
    t.false(Number.isNaN(Date.parse(s.startedAt!)), s.name);
    t.true(s.durationMs >= 0 && s.durationMs < 10_000, s.name);
  }
  t.true(report.durationMs >= step(report, 'ready').durationMs);
});
