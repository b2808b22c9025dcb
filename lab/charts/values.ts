// A release's values: manifests/observability/values/<release>.yaml, ours, as the user can read and
// change them. `up` writes them to .lab/helm/<release>.values.yaml and gives helm that file; the
// reconcile compares them with what `helm get values` says the release was installed with.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { LabError } from '../errors.ts';
import { MANIFESTS_DIR } from '../manifests.ts';

export type Values = Record<string, unknown>;

export const valuesFileRel = (release: string) => path.join('observability', 'values', `${release}.yaml`);

export function loadValues(release: string, root = MANIFESTS_DIR): Values {
  const file = path.join(root, valuesFileRel(release));
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new LabError(`reading the values of release ${release}`, { cause: err, detail: `expected ${file}` });
  }
  const v = parse(text) ?? {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new LabError(`${file}: the values must be a YAML mapping`);
  return v as Values;
}

/** JSON with sorted keys: equal values, equal text, whatever the key order. */
export function canonical(v: unknown): string {
  const sort = (x: unknown): unknown =>
    Array.isArray(x) ? x.map(sort) : x && typeof x === 'object' ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, sort((x as Values)[k])])) : x;
  return JSON.stringify(sort(v));
}

/** The first differing key path between two values trees, for messages ('' when equal). */
export function firstDifference(a: unknown, b: unknown, at = ''): string {
  if (canonical(a) === canonical(b)) return '';
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const d = firstDifference((a as Values)[k], (b as Values)[k], at ? `${at}.${k}` : k);
      if (d) return d;
    }
  }
  return at || '(top level)';
}
