// The --json report's shape (exercise → steps → assertions, each with status, timings, numbers)
// and the human summary: what a user and a CI job read.
import test from 'ava';
import { REPORT_SCHEMA, type ExerciseReport } from '../../lab/exercises/types.ts';
import { formatExerciseReport, resultLine } from '../../lab/exercises/report-text.ts';
import { runExercise } from '../../lab/exercises/runner.ts';
import { trafficSplit } from '../../lab/exercises/traffic-split.ts';
import { runFake } from './fake-exercise.ts';
import { FakeMesh } from './fake-mesh.ts';

const roundTrip = (r: ExerciseReport) => JSON.parse(JSON.stringify(r)) as Record<string, any>;
const keys = (o: object) => Object.keys(o).sort();
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

test('JSON: the tree and its fields, with types', async (t) => {
  const j = roundTrip((await runFake({ failAssert: true })).report);
  t.deepEqual(keys(j), ['counts', 'dataPlane', 'durationMs', 'exercise', 'kept', 'provider', 'schema', 'startedAt', 'status', 'steps', 'summary']);
  t.is(j.schema, REPORT_SCHEMA);
  t.deepEqual([j.exercise, j.provider, j.dataPlane, j.status, j.kept], ['fake', 'kind', true, 'fail', false]);
  t.regex(j.startedAt, ISO);
  t.deepEqual(j.steps.map((s: any) => s.name), ['ready', 'setup', 'act', 'assert', 'diagnose', 'cleanup']);
  for (const s of j.steps) {
    t.true(['pass', 'fail', 'skipped', 'error'].includes(s.status), s.name);
    t.is(typeof s.durationMs, 'number');
    for (const k of ['actions', 'assertions', 'diagnostics']) t.true(Array.isArray(s[k]), `${s.name}.${k}`);
  }
  const assertStep = j.steps[3];
  t.deepEqual(assertStep.assertions, [{ name: 'the value is 42', status: 'fail', expected: 'value = 42', actual: 'value = 42', numbers: { value: 42 } }]);
  const action = j.steps[2].actions[0];
  t.deepEqual(keys(action), ['data', 'durationMs', 'kind', 'startedAt', 'status', 'title']);
  t.regex(action.startedAt, ISO);
  t.deepEqual(j.steps[4].diagnostics, [{ title: 'events', argv: ['kubectl', 'get', 'events'], exitCode: 0, output: 'fake output' }]);
  t.deepEqual(j.counts, { passed: 3, failed: 1, skipped: 0, errors: 0 });
});

test('JSON: a traffic action carries its check report, and the assertions carry the numbers', async (t) => {
  const mesh = await new FakeMesh().start();
  const report = await runExercise({ exercise: trafficSplit, ops: mesh, provider: 'kind', dataPlane: true, keep: false, checkReady: async (n) => n.map((step) => ({ step, done: true })) });
  await mesh.stop();
  const j = roundTrip(report);
  const data = j.steps.find((s: any) => s.name === 'act').actions[0].data;
  t.is(data.check, 'split');
  t.deepEqual(data.expect, { v1: 80, v2: 20 });
  t.is(data.sample.n, 425);
  const v2 = j.steps.find((s: any) => s.name === 'assert').assertions.find((a: any) => a.name.includes('v2 share'));
  t.deepEqual(keys(v2.numbers), ['ciLowerPct', 'ciUpperPct', 'classified', 'count', 'deviationPp', 'sharePct']);
  t.is(v2.numbers.count, data.labels.find((l: any) => l.label === 'v2').count);
});

test('summary on sim: the skipped traffic phase is visible in the step lines and the RESULT line', async (t) => {
  const { report } = await runFake({}, { dataPlane: false, provider: 'sim' });
  const text = formatExerciseReport(report);
  t.regex(text, /^Exercise fake \(sim, no data plane: the traffic phase is skipped\)/);
  t.regex(text, /\n {2}- act {7}skipped \(sim\): needs a data plane\n/);
  t.regex(text, /\n {6}- traffic send traffic: skipped \(sim\): needs a data plane\n/);
  t.regex(text, /\n {6}- the value is 42: skipped \(sim\): needs a data plane \(would check: value = 42\)\n/);
  t.regex(text, /\n {6}✓ VirtualService\/sock-shop\/front-end restored exactly — equal\n/);
  t.is(resultLine(report), `RESULT: PASS fake — 3 passed, 0 failed, 1 skipped (sim): needs a data plane; ${(report.durationMs / 1000).toFixed(1)} s`);
});

test('summary on failure: expected vs actual, the step error with its detail, the diagnostics with their command', async (t) => {
  const failed = formatExerciseReport((await runFake({ failAssert: true })).report);
  t.regex(failed, /✗ the value is 42 — expected value = 42; got value = 42/);
  t.regex(failed, /▸ events\n {8}\$ kubectl get events {2}\(exit 0\)\n {8}fake output/);
  t.regex(failed, /RESULT: FAIL fake — 3 passed, 1 failed, 0 skipped;/);
  const errored = formatExerciseReport((await runFake({ setupThrows: true })).report);
  t.regex(errored, /! setup {5}error: setup broke\n {8}the detail\n/);
  t.regex(errored, /, 1 step error;/);
});
