// The JUnit output validated for real: xmllint (Debian libxml2-utils) against the XSD written from
// the format's documented structure (fixtures/exercises/junit.xsd), plus XPath over the document:
// the counts in the attributes equal the elements, skipped (sim) items are <skipped> (never passes),
// and awkward text (markup, quotes, control characters) survives escaping.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { toJUnit } from '../../lab/exercises/report-junit.ts';
import { SIM_SKIP_REASON } from '../../lab/exercises/runner.ts';
import type { ExerciseReport } from '../../lab/exercises/types.ts';
import { REPO, tempDir } from '../helpers.ts';
import { runFake } from './fake-exercise.ts';

const XSD = path.join(REPO, 'fixtures', 'exercises', 'junit.xsd');
const HINT = 'install it with: apt-get install -y libxml2-utils';
const dir = tempDir('lab-junit-');
const NASTY = 'got <v2> & "quotes" \'too\'\u0007 — 日本語 ✓\nsecond line';

/** Fail (never skip) when xmllint is missing. */
function xmllint(args: string[]) {
  const r = spawnSync('xmllint', args, { encoding: 'utf8' });
  if (r.error) throw new Error(`xmllint is required by the JUnit tests but could not be run (${r.error.message}) — ${HINT}`);
  return { code: r.status, out: r.stdout.trim(), err: r.stderr.trim() };
}

function save(name: string, xml: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, xml);
  return file;
}
const validate = (file: string) => xmllint(['--noout', '--schema', XSD, file]);
const xpath = (file: string, expr: string) => xmllint(['--xpath', expr, file]).out;

let reports: ExerciseReport[] = [];
let file = '';

test.before(async () => {
  reports = [
    (await runFake({})).report,
    (await runFake({}, { dataPlane: false, provider: 'sim' })).report,
    (await runFake({ failAssert: true, actualText: NASTY })).report,
    (await runFake({ setupThrows: true })).report,
  ];
  file = save('all.xml', toJUnit(reports));
});

test('the document validates against the JUnit XSD', (t) => {
  const r = validate(file);
  t.is(r.code, 0, r.err);
  t.regex(r.err, /validates$/);
});

test('the counts in the attributes are the elements that are there', (t) => {
  const count = (e: string) => Number(xpath(file, `count(${e})`));
  const attr = (a: string) => Number(xpath(file, `string(/testsuites/@${a})`));
  t.is(attr('tests'), count('//testcase'));
  t.is(attr('failures'), count('//testcase/failure'));
  t.is(attr('errors'), count('//testcase/error'));
  t.is(attr('skipped'), count('//testcase/skipped'));
  t.deepEqual([attr('tests'), attr('failures'), attr('errors'), attr('skipped')], [24, 1, 1, 4]);
  for (let i = 1; i <= 4; i++) {
    const suite = `/testsuites/testsuite[${i}]`;
    t.is(Number(xpath(file, `string(${suite}/@tests)`)), count(`${suite}/testcase`), suite);
    t.is(Number(xpath(file, `string(${suite}/@skipped)`)), count(`${suite}/testcase/skipped`), suite);
  }
});

test('sim: act and the traffic assertion are <skipped> with the reason, not passes', (t) => {
  const sim = '/testsuites/testsuite[2]';
  t.is(xpath(file, `string(${sim}/properties/property[@name="dataPlane"]/@value)`), 'false');
  t.is(xpath(file, `string(${sim}/testcase[@classname="fake" and @name="act"]/skipped/@message)`), SIM_SKIP_REASON);
  t.is(xpath(file, `string(${sim}/testcase[@classname="fake.assert" and @name="the value is 42"]/skipped/@message)`), SIM_SKIP_REASON);
  t.is(Number(xpath(file, `count(${sim}/testcase[@classname="fake.cleanup"][not(skipped) and not(failure)])`)), 1, 'cleanup ran for real');
});

test('a failed assertion is a <failure> whose text survives escaping; a setup error is an <error> with its detail', (t) => {
  const failed = '/testsuites/testsuite[3]/testcase[@classname="fake.assert"]/failure';
  t.is(xpath(file, `string(${failed}/@type)`), 'AssertionFailed');
  t.is(xpath(file, `string(${failed}/@message)`), `expected value = 42; got ${NASTY.replace('\u0007', '\uFFFD')}`);
  t.regex(xpath(file, `string(/testsuites/testsuite[3]/system-out)`), /== events\n\$ kubectl get events/);
  const err = '/testsuites/testsuite[4]/testcase[@classname="fake" and @name="setup"]/error';
  t.is(xpath(file, `string(${err}/@message)`), 'setup broke');
  t.is(xpath(file, `string(${err})`), 'the detail');
});

test('the XSD is not a rubber stamp: broken documents are rejected', (t) => {
  const base = toJUnit([reports[0]]);
  const broken = {
    'two-outcomes': base.replace('<system-out>expected: lab step istio', '<failure message="x"/><skipped/><system-out>expected: lab step istio'),
    'no-classname': base.replace('classname="fake.ready" ', ''),
    'no-tests-count': base.replace(/(<testsuite name="[^"]*") tests="\d+"/, '$1'),
    'negative-time': base.replace(/time="[0-9.]+"/, 'time="-1"'),
    'unknown-element': base.replace('<properties>', '<attachments/><properties>'),
  };
  for (const [name, xml] of Object.entries(broken)) {
    t.not(xml, base, `${name} changed the document`);
    const r = validate(save(`${name}.xml`, xml));
    t.not(r.code, 0, `${name} must be rejected`);
  }
});
