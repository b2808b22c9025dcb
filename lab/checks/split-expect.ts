// Parsing and validation of an expected traffic split, e.g. --expect v1=80,v2=20.

/** Label → expected weight in percent; weights sum to 100. */
export type SplitExpectation = Record<string, number>;

const SUM_EPSILON = 1e-9;

/** Validate an expectation object; errors name the flag. Returns a copy. */
export function validateExpect(expect: Record<string, number>, flag = '--expect'): SplitExpectation {
  const entries = Object.entries(expect ?? {});
  if (entries.length === 0) throw new RangeError(`${flag}: at least one label=weight is required, e.g. v1=80,v2=20`);
  let sum = 0;
  for (const [label, weight] of entries) {
    if (label.trim() === '' || label !== label.trim()) throw new RangeError(`${flag}: label ${JSON.stringify(label)} is empty or has surrounding spaces`);
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0 || weight > 100) {
      throw new RangeError(`${flag}: weight for ${label} must be a number between 0 and 100, got ${String(weight)}`);
    }
    sum += weight;
  }
  if (Math.abs(sum - 100) > SUM_EPSILON) {
    throw new RangeError(`${flag}: weights must sum to 100, got ${Number(sum.toFixed(6))}`);
  }
  return Object.fromEntries(entries);
}

/** Parse "v1=80,v2=20" into { v1: 80, v2: 20 }. */
export function parseExpect(spec: string, flag = '--expect'): SplitExpectation {
  if (typeof spec !== 'string' || spec.trim() === '') {
    throw new RangeError(`${flag}: expected label=weight pairs such as v1=80,v2=20, got ${JSON.stringify(spec)}`);
  }
  const out: SplitExpectation = {};
  for (const rawPart of spec.split(',')) {
    const part = rawPart.trim();
    const eq = part.indexOf('=');
    if (eq <= 0) throw new RangeError(`${flag}: ${JSON.stringify(part)} is not label=weight (e.g. v1=80)`);
    const label = part.slice(0, eq).trim();
    const weightText = part.slice(eq + 1).trim();
    if (!/^\d+(\.\d+)?$/.test(weightText)) {
      throw new RangeError(`${flag}: weight for ${label} must be a number between 0 and 100, got ${JSON.stringify(weightText)}`);
    }
    if (Object.hasOwn(out, label)) throw new RangeError(`${flag}: label ${label} appears twice`);
    out[label] = Number(weightText);
  }
  return validateExpect(out, flag);
}

/** Labels that must be observed during convergence (weight > 0). */
export function requiredLabels(expect: SplitExpectation): string[] {
  return Object.entries(expect).filter(([, w]) => w > 0).map(([l]) => l);
}
