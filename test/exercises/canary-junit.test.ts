// The canary exercise's reports as CI reads them (the junit.test.ts pattern): the JUnit of four
// runs against the fake Flagger — passed, on sim with Flagger, on sim without Flagger, and with a
// Flagger that promotes the faulty change — validated by xmllint against fixtures/exercises/junit.xsd,
// its counts equal to its elements, skips as <skipped> with their reason, the failure with expected
// and got; and the JSON keeps the phase timeline (phase, canaryWeight, time) of both changes.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { toJUnit } from '../../lab/exercises/report-junit.ts';
import { REPORT_SCHEMA, type ExerciseReport } from '../../lab/exercises/types.ts';
import { REPO, tempDir } from '../helpers.ts';
import { runCanary } from './canary-fake-run.ts';

const XSD = path.join(REPO, 'fixtures', 'exercises', 'junit.xsd');
const dir = tempDir('lab-canary-junit-');

function xmllint(args: string[]) {
  const r = spawnSync('xmllint', args, { encoding: 'utf8' });
  if (r.error) throw new Error(`xmllint is required by the JUnit tests but could not be run (${r.error.message}) — install it with: apt-get install -y libxml2-utils`);
  return { code: r.status, out: r.stdout.trim(), err: r.stderr.trim() };
}
const xpath = (file: string, expr: string) => xmllint(['--xpath', expr, file]).out;

let reports: ExerciseReport[] = [];
let file = '';

test.before(async () => {
  reports = [
    (await runCanary()).report,
    (await runCanary({}, { dataPlane: false })).report,
    (await runCanary({ noCrd: true }, { dataPlane: false })).report,
    (await runCanary({ fault: 'promotes-faulty' })).report,
  ];
  file = path.join(dir, 'canary.xml');
  writeFileSync(file, toJUnit(reports));
});

test('the JUnit validates, and its counts are the elements that are there', (t) => {
  const v = xmllint(['--noout', '--schema', XSD, file]);
  t.is(v.code, 0, v.err);
  const count = (e: string) => Number(xpath(file, `count(${e})`));
  const attr = (a: string) => Number(xpath(file, `string(/testsuites/@${a})`));
  t.is(attr('tests'), count('//testcase'));
  t.is(attr('failures'), count('//testcase/failure'));
  t.is(attr('skipped'), count('//testcase/skipped'));
  t.is(attr('failures'), 3, 'the promoted faulty change: outcome, condition, primary');
});

test('the canary assertions are testcases of canary.assert; on sim without Flagger they are <skipped> with the reason', (t) => {
  const names = xpath(file, 'string(count(/testsuites/testsuite[1]/testcase[@classname="canary.assert"]))');
  t.is(Number(names), 10);
  const skipped = '/testsuites/testsuite[3]/testcase[@classname="canary.assert"]/skipped';
  t.is(Number(xpath(file, `count(${skipped})`)), 10);
  t.regex(xpath(file, `string(${skipped}[1]/@message)`), /^skipped \(sim\): Flagger is not installed/);
  t.is(Number(xpath(file, 'count(/testsuites/testsuite[2]/testcase[@classname="canary.assert"]/skipped)')), 0, 'with Flagger on sim they ran');
});

test('the failure says what was expected and what happened', (t) => {
  const f = '/testsuites/testsuite[4]/testcase[@classname="canary.assert" and @name="faulty change: Canary front-end Failed within 0.6 s"]/failure/@message';
  t.regex(xpath(file, `string(${f})`), /^expected \.status\.phase Failed ≤ 0\.6 s after Flagger started the analysis \(Flagger alone: 50 s = 5 runs of 10 s: first weight, 3 failed checks, roll back; .*\); got Succeeded 0\.\d s after Progressing/);
});

test('the JSON keeps both timelines: phase, canaryWeight and ms since the change', (t) => {
  const json = JSON.parse(JSON.stringify(reports[0])) as ExerciseReport;
  t.is(json.schema, REPORT_SCHEMA);
  const timelines = json.steps.find((s) => s.name === 'act')!.actions
    .filter((a) => a.kind === 'wait' && a.title.startsWith('until Canary front-end has an outcome'))
    .map((a) => (a.data as { timeline: Array<{ atMs: number; phase: string; canaryWeight: number }> }).timeline);
  t.is(timelines.length, 2);
  t.deepEqual(timelines[0].map((e) => e.canaryWeight).filter((w, i, all) => w > 0 && w !== all[i - 1]), [10, 20, 30, 40, 50]);
  t.is(timelines[1].at(-1)!.phase, 'Failed');
  t.true(timelines.flat().every((e) => typeof e.atMs === 'number' && e.atMs >= 0));
});
