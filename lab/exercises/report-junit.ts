// JUnit XML for CI dashboards. One <testsuite> per exercise. Test cases: every assertion
// (classname "<exercise>.<step>"), plus one per step that has no assertions (act, a skipped assert,
// a --keep cleanup), that raised an error, or that was skipped though its assertions passed
// (classname "<exercise>"). The diagnose step is not a test: its output goes to the suite's
// <system-out>. Skipped (sim) items are <skipped>, never passes.
import os from 'node:os';
import type { AssertionResult, ExerciseReport, StepRecord } from './types.ts';

// Characters XML 1.0 cannot carry at all (control characters other than tab/LF/CR, lone surrogates).
// eslint-disable-next-line no-control-regex
const INVALID_XML = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function xmlText(s: string): string {
  return s.replace(INVALID_XML, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function xmlAttr(s: string): string {
  return xmlText(s).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}

const seconds = (ms: number) => (Math.max(0, ms) / 1000).toFixed(3);

interface Case {
  classname: string;
  name: string;
  timeMs: number;
  outcome?: { tag: 'failure' | 'error' | 'skipped'; message: string; type?: string; body?: string };
  out?: string;
}

function assertionCase(exercise: string, step: StepRecord, a: AssertionResult): Case {
  const out = [`expected: ${a.expected}`, `actual: ${a.actual ?? '(not observed)'}`, `numbers: ${JSON.stringify(a.numbers)}`].join('\n');
  const c: Case = { classname: `${exercise}.${step.name}`, name: a.name, timeMs: 0, out };
  if (a.status === 'fail') c.outcome = { tag: 'failure', message: a.reason ?? `expected ${a.expected}; got ${a.actual}`, type: 'AssertionFailed', body: out };
  if (a.status === 'skipped') c.outcome = { tag: 'skipped', message: a.reason ?? 'skipped' };
  return c;
}

function stepCase(exercise: string, s: StepRecord): Case {
  const out = s.actions.map((a) => `${a.status} ${a.kind} ${a.title}${a.reason ? `: ${a.reason}` : ''} (${a.durationMs} ms)`).join('\n');
  const c: Case = { classname: exercise, name: s.name, timeMs: s.durationMs, out: out || undefined };
  if (s.status === 'error') c.outcome = { tag: 'error', message: s.error?.message ?? 'error', type: 'LabError', body: s.error?.detail };
  else if (s.status === 'skipped') c.outcome = { tag: 'skipped', message: s.reason ?? 'skipped' };
  else if (s.status === 'fail') c.outcome = { tag: 'failure', message: `${s.name} failed`, type: 'AssertionFailed' };
  return c;
}

export function casesOf(r: ExerciseReport): Case[] {
  const cases: Case[] = [];
  for (const s of r.steps) {
    if (s.name === 'diagnose') continue;
    // A step is its own case when nothing else would show its outcome: no assertions, an error, or
    // a skip that sits in its actions while its assertions passed (blue-green's act on sim).
    const hidden = s.status === 'skipped' && s.assertions.some((a) => a.status !== 'skipped');
    if (s.assertions.length === 0 || s.status === 'error' || hidden) cases.push(stepCase(r.exercise, s));
    for (const a of s.assertions) cases.push(assertionCase(r.exercise, s, a));
  }
  return cases;
}

function caseXml(c: Case): string {
  const open = `    <testcase classname="${xmlAttr(c.classname)}" name="${xmlAttr(c.name)}" time="${seconds(c.timeMs)}"`;
  const inner: string[] = [];
  if (c.outcome) {
    const attrs = `message="${xmlAttr(c.outcome.message)}"${c.outcome.type ? ` type="${xmlAttr(c.outcome.type)}"` : ''}`;
    inner.push(c.outcome.body ? `      <${c.outcome.tag} ${attrs}>${xmlText(c.outcome.body)}</${c.outcome.tag}>` : `      <${c.outcome.tag} ${attrs}/>`);
  }
  if (c.out) inner.push(`      <system-out>${xmlText(c.out)}</system-out>`);
  return inner.length === 0 ? `${open}/>` : `${open}>\n${inner.join('\n')}\n    </testcase>`;
}

function tally(cases: Case[]) {
  const n = (tag: string) => cases.filter((c) => c.outcome?.tag === tag).length;
  return { tests: cases.length, failures: n('failure'), errors: n('error'), skipped: n('skipped') };
}

function suiteXml(r: ExerciseReport, cases: Case[]): string {
  const t = tally(cases);
  const diag = r.steps.flatMap((s) => s.diagnostics).map((d) => `== ${d.title}\n$ ${d.argv.join(' ')} (exit ${d.exitCode ?? 'n/a'})\n${d.output}`);
  const props = { provider: r.provider, dataPlane: String(r.dataPlane), kept: String(r.kept), status: r.status };
  return [
    `  <testsuite name="exercise ${xmlAttr(r.exercise)}" tests="${t.tests}" failures="${t.failures}" errors="${t.errors}" skipped="${t.skipped}" time="${seconds(r.durationMs)}" timestamp="${r.startedAt.replace(/\.\d+Z$/, '')}" hostname="${xmlAttr(os.hostname())}">`,
    '    <properties>',
    ...Object.entries(props).map(([k, v]) => `      <property name="${k}" value="${xmlAttr(v)}"/>`),
    '    </properties>',
    ...cases.map(caseXml),
    `    <system-out>${xmlText([r.summary, ...diag].join('\n\n'))}</system-out>`,
    '  </testsuite>',
  ].join('\n');
}

/** The whole document for one or more exercise runs. */
export function toJUnit(reports: ExerciseReport[]): string {
  const all = reports.map((r) => ({ r, cases: casesOf(r) }));
  const t = tally(all.flatMap((x) => x.cases));
  const time = reports.reduce((a, r) => a + r.durationMs, 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="cloud-native-lab exercises" tests="${t.tests}" failures="${t.failures}" errors="${t.errors}" skipped="${t.skipped}" time="${seconds(time)}">`,
    ...all.map(({ r, cases }) => suiteXml(r, cases)),
    '</testsuites>',
    '',
  ].join('\n');
}
