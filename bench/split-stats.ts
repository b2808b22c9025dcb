// Monte Carlo check of the split decision: how often does the check wrongly fail
// a correct split, and wrongly pass a wrong one? Uses the same decision function
// as the live check (splitSamplePasses) and N from requiredSampleSize.
//
//   npx tsx bench/split-stats.ts [--runs 10000] [--seed 20251122]
//
// Prints figures only; the exit code does not depend on them.
import { requiredSampleSize, wilsonInterval, logGamma } from '../lab/checks/stats.ts';
import { splitSamplePasses, withinTolerance, type SplitRules } from '../lab/checks/split-evaluate.ts';
import { seededRandom } from '../test/seeded-random.ts';

/** One multinomial draw of n requests over the true weights (percent). */
function drawCounts(n: number, truth: Record<string, number>, random: () => number): Record<string, number> {
  const labels = Object.keys(truth);
  const cumulative: number[] = [];
  let acc = 0;
  for (const l of labels) { acc += truth[l] / 100; cumulative.push(acc); }
  const counts: Record<string, number> = Object.fromEntries(labels.map((l) => [l, 0]));
  for (let i = 0; i < n; i++) {
    const u = random() * acc;
    let k = 0;
    while (k < labels.length - 1 && u >= cumulative[k]) k++;
    counts[labels[k]]++;
  }
  return counts;
}

/**
 * Exact P(pass) for 2- or 3-label splits: sum of the multinomial pmf over every
 * outcome the decision accepts (null for more labels).
 */
function exactPass(n: number, truth: Record<string, number>, rules: SplitRules): number | null {
  const labels = Object.keys(rules.expect);
  if (labels.length < 2 || labels.length > 3) return null;
  const p = labels.map((l) => (truth[l] ?? 0) / 100);
  const logFactN = logGamma(n + 1);
  const logTerm = (k: number, pk: number) => (k === 0 ? 0 : k * Math.log(pk)) - logGamma(k + 1);
  const ok = (k: number, i: number) => withinTolerance(k, n, rules.expect[labels[i]], rules.tolerancePp);
  let total = 0;
  for (let k0 = 0; k0 <= n; k0++) {
    if (!ok(k0, 0)) continue;
    if (labels.length === 2) {
      if (ok(n - k0, 1)) total += Math.exp(logFactN + logTerm(k0, p[0]) + logTerm(n - k0, p[1]));
      continue;
    }
    for (let k1 = 0; k1 <= n - k0; k1++) {
      const k2 = n - k0 - k1;
      if (ok(k1, 1) && ok(k2, 2)) total += Math.exp(logFactN + logTerm(k0, p[0]) + logTerm(k1, p[1]) + logTerm(k2, p[2]));
    }
  }
  return total;
}

interface Scenario { name: string; expect: Record<string, number>; truth: Record<string, number>; wrong: 'fail' | 'pass'; goalPct?: number }

function argNumber(flag: string, fallback: number): number {
  const i = process.argv.indexOf(flag);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`${flag}: expected a positive integer, got ${process.argv[i + 1]}`);
  return v;
}

const runs = argNumber('--runs', 10_000);
const seed = argNumber('--seed', 20251122);
const confidence = 0.99;
const tolerancePp = 5;
const scenarios: Scenario[] = [
  { name: 'true 80:20, expect 80:20', expect: { v1: 80, v2: 20 }, truth: { v1: 80, v2: 20 }, wrong: 'fail', goalPct: 1 },
  { name: 'true 70:30, expect 80:20', expect: { v1: 80, v2: 20 }, truth: { v1: 70, v2: 30 }, wrong: 'pass', goalPct: 1.5 },
  { name: 'true 75:25, expect 80:20', expect: { v1: 80, v2: 20 }, truth: { v1: 75, v2: 25 }, wrong: 'pass' },
  { name: 'true 50:25:25, expect 50:25:25', expect: { v1: 50, v2: 25, v3: 25 }, truth: { v1: 50, v2: 25, v3: 25 }, wrong: 'fail' },
];

console.log(`split decision: ${runs} simulated runs per scenario, seed ${seed}, confidence ${confidence}, tolerance ±${tolerancePp}pp`);
for (const s of scenarios) {
  const random = seededRandom(seed);
  const rules: SplitRules = { expect: s.expect, tolerancePp, confidence, maxErrors: 0 };
  const n = requiredSampleSize(Object.values(s.expect).map((w) => w / 100), tolerancePp, confidence);
  let wrong = 0;
  for (let r = 0; r < runs; r++) {
    const passed = splitSamplePasses(drawCounts(n, s.truth, random), 0, rules);
    if (passed === (s.wrong === 'pass')) wrong++;
  }
  const ci = wilsonInterval(wrong, runs, 0.95);
  const exact = exactPass(n, s.truth, rules);
  const exactWrong = exact === null ? null : s.wrong === 'pass' ? exact : 1 - exact;
  const pct = (v: number) => `${(100 * v).toFixed(2)}%`;
  const goal = s.goalPct === undefined ? '' : `  goal ≤ ${s.goalPct}%`;
  console.log(
    `${s.name.padEnd(32)} N=${n}  false-${s.wrong} ${pct(wrong / runs)} (${wrong}/${runs}, 95% CI ${pct(ci.lower)}–${pct(ci.upper)})` +
    `${exactWrong === null ? '' : `  exact ${pct(exactWrong)}`}${goal}`,
  );
}
console.log(`note: the simulated rates carry Monte Carlo noise (±~${(196 * Math.sqrt(0.01 * 0.99 / runs)).toFixed(2)}pp at 1% with ${runs} runs); ` +
  'the exact (multinomial) figure is the one to hold against the goal.');
