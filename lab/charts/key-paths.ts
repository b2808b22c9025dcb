// Values key paths: how the lab names "a key our values set" and "a key a chart defines", and the
// rule that decides whether one exists in the other. Pure; the chart contract stores such paths.
//
// A path is a list of map keys, written joined by dots; a key that itself holds a dot or a bracket
// (`node.kubernetes.io/nodegroup` under a nodeSelector, `grafana.ini`) is written in brackets and
// quotes: nodeSelector["node.kubernetes.io/nodegroup"]. Lists are leaves: a path never goes into one.

export type KeyPath = string[];

const PLAIN = /^[A-Za-z0-9_\-/@$:+*]+$/;

export function encodePath(path: KeyPath): string {
  return path.map((k, i) => (PLAIN.test(k) ? (i ? `.${k}` : k) : `[${JSON.stringify(k)}]`)).join('');
}

export function decodePath(text: string): KeyPath {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] === '.') i++;
    if (text[i] === '[') {
      const end = text.indexOf('"]', i + 2);
      if (text[i + 1] !== '"' || end < 0) throw new Error(`bad key path ${text}: unclosed [" at ${i}`);
      out.push(JSON.parse(text.slice(i + 1, end + 1)) as string);
      i = end + 2;
    } else {
      let j = i;
      while (j < text.length && text[j] !== '.' && text[j] !== '[') j++;
      if (j === i) throw new Error(`bad key path ${text}: empty key at ${i}`);
      out.push(text.slice(i, j));
      i = j;
    }
  }
  return out;
}

const isMap = (v: unknown): v is Record<string, unknown> => Boolean(v) && typeof v === 'object' && !Array.isArray(v);

export interface FlatKey {
  path: KeyPath;
  /** `{}`: a map with no keys (a place the chart lets anything go). */
  emptyMap: boolean;
}

/** Every leaf of a values tree (scalars, lists, null) and every empty map, depth first, in order. */
export function flattenValues(values: unknown, prefix: KeyPath = []): FlatKey[] {
  if (!isMap(values)) return prefix.length ? [{ path: prefix, emptyMap: false }] : [];
  const keys = Object.keys(values);
  if (!keys.length) return prefix.length ? [{ path: prefix, emptyMap: true }] : [];
  return keys.flatMap((k) => flattenValues(values[k], [...prefix, k]));
}

/** The key paths of a chart, as the contract keeps them: every known path (a leaf or an empty map)
 * and the prefixes under which the chart passes anything through. */
export interface ChartKeys {
  known: string[];
  freeForm: string[];
  /** Keys of the configuration the chart passes its values on as (kiali-server), same rule. */
  config?: { known: string[]; freeForm: string[] };
}

export class KeyIndex {
  private readonly known = new Set<string>();
  private readonly prefixes = new Set<string>();
  private readonly free = new Set<string>();

  constructor(keys: ChartKeys) {
    for (const k of [...keys.known, ...(keys.config?.known ?? [])]) {
      const p = decodePath(k);
      this.known.add(encodePath(p));
      for (let i = 1; i < p.length; i++) this.prefixes.add(encodePath(p.slice(0, i)));
    }
    for (const f of [...keys.freeForm, ...(keys.config?.freeForm ?? [])]) this.free.add(encodePath(decodePath(f)));
  }

  /** Is `path` a key of the chart: a known path, a map on the way to one, or anything under a
   * free-form prefix (the chart copies that map through as it is)? */
  has(path: KeyPath): boolean {
    const whole = encodePath(path);
    if (this.known.has(whole) || this.prefixes.has(whole)) return true;
    for (let i = path.length - 1; i >= 1; i--) if (this.free.has(encodePath(path.slice(0, i)))) return true;
    return this.free.has(whole);
  }

  /** The free-form prefix that admits `path`, if that is why it exists ('' otherwise). */
  freeFormPrefixOf(path: KeyPath): string {
    for (let i = 1; i <= path.length; i++) {
      const p = encodePath(path.slice(0, i));
      if (this.free.has(p)) return p;
    }
    return '';
  }
}
