import test from 'ava';
import { parseExpect, validateExpect, requiredLabels } from '../../lab/checks/split-expect.ts';
import { evaluateSplitSample, splitSamplePasses, type SplitRules } from '../../lab/checks/split-evaluate.ts';

const rules8020: SplitRules = { expect: { v1: 80, v2: 20 }, tolerancePp: 5, confidence: 0.99, maxErrors: 0 };

test('parseExpect parses label=weight pairs', (t) => {
  t.deepEqual(parseExpect('v1=80,v2=20'), { v1: 80, v2: 20 });
  t.deepEqual(parseExpect(' v1 = 50 , v2=25,v3=25 '), { v1: 50, v2: 25, v3: 25 });
  t.deepEqual(parseExpect('stable=99.5,canary=0.5'), { stable: 99.5, canary: 0.5 });
  t.deepEqual(requiredLabels(parseExpect('v1=100,v2=0')), ['v1']);
});

test('parseExpect errors name the flag and the problem', (t) => {
  t.throws(() => parseExpect('v1=70,v2=20'), { message: '--expect: weights must sum to 100, got 90' });
  t.throws(() => parseExpect('v1=80,v1=20'), { message: '--expect: label v1 appears twice' });
  t.throws(() => parseExpect('v1=eighty,v2=20'), { message: '--expect: weight for v1 must be a number between 0 and 100, got "eighty"' });
  t.throws(() => parseExpect('v1:80'), { message: '--expect: "v1:80" is not label=weight (e.g. v1=80)' });
  t.throws(() => parseExpect(''), { message: /--expect: expected label=weight pairs/ });
  t.throws(() => parseExpect('v1=120,v2=-20'), { message: /weight for v2 must be a number/ });
  t.throws(() => validateExpect({ v1: 101 }), { message: '--expect: weight for v1 must be a number between 0 and 100, got 101' });
  t.throws(() => parseExpect('a=60,b=30', '--weights'), { message: '--weights: weights must sum to 100, got 90' });
});

test('evaluateSplitSample: exact 80:20 passes with the right numbers', (t) => {
  const d = evaluateSplitSample({ counts: { v1: 340, v2: 85 }, errorsByReason: {} }, rules8020);
  t.is(d.status, 'pass');
  t.is(d.classified, 425);
  t.deepEqual(d.labels.map((l) => [l.label, l.count, l.sharePct, l.deviationPp, l.withinTolerance]), [
    ['v1', 340, 80, 0, true], ['v2', 85, 20, 0, true],
  ]);
  t.deepEqual(d.labels[0].ciPct, { lower: 74.56, upper: 84.52 }); // Wilson 99% for 340/425
  t.is(d.chiSquare?.statistic, 0);
  t.is(d.chiSquare?.pValue, 1);
});

test('evaluateSplitSample: tolerance boundary is inclusive (75.0% passes, 74.8% fails)', (t) => {
  t.is(evaluateSplitSample({ counts: { v1: 300, v2: 100 }, errorsByReason: {} }, rules8020).status, 'pass');
  const d = evaluateSplitSample({ counts: { v1: 318, v2: 107 }, errorsByReason: {} }, rules8020);
  t.is(d.status, 'fail');
  t.is(d.reason, 'v1 at 74.8% is 5.2pp from expected 80% (tolerance ±5pp); v2 at 25.2% is 5.2pp from expected 20% (tolerance ±5pp)');
  t.true(splitSamplePasses({ v1: 319, v2: 106 }, 0, rules8020));
  t.false(splitSamplePasses({ v1: 318, v2: 107 }, 0, rules8020));
});

test('evaluateSplitSample: a 70:30 sample fails and chi-square flags it', (t) => {
  const d = evaluateSplitSample({ counts: { v1: 298, v2: 127 }, errorsByReason: {} }, rules8020);
  t.is(d.status, 'fail');
  t.is(d.labels[0].deviationPp, -9.882);
  t.true((d.chiSquare?.pValue ?? 1) < 1e-6);
});

test('evaluateSplitSample: unexpected labels and errors fail even when shares fit', (t) => {
  const unexpected = evaluateSplitSample({ counts: { v1: 339, v2: 85, '?unknown': 1 }, errorsByReason: {} }, rules8020);
  t.is(unexpected.status, 'fail');
  t.deepEqual(unexpected.unexpectedLabels, ['?unknown']);
  t.is(unexpected.reason, 'unexpected label: ?unknown ×1');
  t.is(unexpected.labels[2].expectedPct, null);

  const errors = evaluateSplitSample({ counts: { v1: 336, v2: 84 }, errorsByReason: { 'http 503': 3, ECONNRESET: 2 } }, rules8020);
  t.is(errors.status, 'fail');
  t.is(errors.errorCount, 5);
  t.is(errors.reason, '5 failed requests (max 0): http 503 ×3, ECONNRESET ×2');
  t.is(evaluateSplitSample({ counts: { v1: 336, v2: 84 }, errorsByReason: { 'http 503': 5 } }, { ...rules8020, maxErrors: 5 }).status, 'pass');
  t.false(splitSamplePasses({ v1: 336, v2: 84 }, 1, rules8020));
  t.false(splitSamplePasses({ v1: 336, v2: 84, v3: 1 }, 0, rules8020));
});

test('evaluateSplitSample: zero-weight labels must stay within tolerance of 0 and are left out of chi-square', (t) => {
  const rules: SplitRules = { expect: { v1: 100, v2: 0 }, tolerancePp: 5, confidence: 0.99, maxErrors: 0 };
  const d = evaluateSplitSample({ counts: { v1: 97, v2: 3 }, errorsByReason: {} }, rules);
  t.is(d.status, 'pass');
  t.is(d.chiSquare, null);
  t.is(evaluateSplitSample({ counts: { v1: 90, v2: 10 }, errorsByReason: {} }, rules).status, 'fail');
  t.is(evaluateSplitSample({ counts: {}, errorsByReason: { ECONNREFUSED: 4 } }, rules).reason,
    '4 failed requests (max 0): ECONNREFUSED ×4; no classified responses');
});
