// Turn an HTTP response into a version label ("v1", "v2", …) using
// `header:NAME` rules (label = header value) or `body:REGEX=label` rules.
// Rules are tried in order; the first that matches wins.

export const UNKNOWN_LABEL = '?unknown';

export type ClassifyRule =
  | { kind: 'header'; name: string }
  | { kind: 'body'; pattern: RegExp; label: string; source: string };

export interface Classifier {
  rules: ClassifyRule[];
  /** Lower-case header names the load generator must capture. */
  headerNames: string[];
  /** True when any rule inspects the body, so a body snippet must be kept. */
  needsBody: boolean;
}

export interface ClassifiableResponse {
  headers: Record<string, string>;
  body?: string;
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Parse one rule. `flag` names the CLI option in error messages. */
export function parseClassifyRule(spec: string, flag = '--classify'): ClassifyRule {
  const trimmed = spec.trim();
  if (trimmed.startsWith('header:')) {
    const name = trimmed.slice('header:'.length).trim();
    if (!HEADER_NAME.test(name)) throw new TypeError(`${flag}: invalid header name in ${JSON.stringify(spec)}`);
    return { kind: 'header', name: name.toLowerCase() };
  }
  if (trimmed.startsWith('body:')) {
    const rest = trimmed.slice('body:'.length);
    // The label is after the LAST '=', so regexes may contain '='.
    const eq = rest.lastIndexOf('=');
    if (eq <= 0 || eq === rest.length - 1) {
      throw new TypeError(`${flag}: body rules look like body:REGEX=label, got ${JSON.stringify(spec)}`);
    }
    const source = rest.slice(0, eq);
    const label = rest.slice(eq + 1).trim();
    let pattern: RegExp;
    try {
      pattern = new RegExp(source);
    } catch (err) {
      throw new TypeError(`${flag}: invalid regular expression ${JSON.stringify(source)}: ${(err as Error).message}`);
    }
    return { kind: 'body', pattern, label, source };
  }
  throw new TypeError(`${flag}: expected header:NAME or body:REGEX=label, got ${JSON.stringify(spec)}`);
}

/** Build a classifier from one or more rule specs (e.g. ["header:x-lab-version"]). */
export function parseClassifier(specs: string | readonly string[], flag = '--classify'): Classifier {
  const list = typeof specs === 'string' ? [specs] : [...specs];
  if (list.length === 0) throw new TypeError(`${flag}: at least one rule is required (header:NAME or body:REGEX=label)`);
  const rules = list.map((s) => parseClassifyRule(s, flag));
  const headerNames = [...new Set(rules.flatMap((r) => (r.kind === 'header' ? [r.name] : [])))];
  return { rules, headerNames, needsBody: rules.some((r) => r.kind === 'body') };
}

/** Label for a response, or UNKNOWN_LABEL when no rule matches. */
export function classifyResponse(classifier: Classifier, response: ClassifiableResponse): string {
  for (const rule of classifier.rules) {
    if (rule.kind === 'header') {
      const value = response.headers[rule.name]?.trim();
      if (value) return value;
    } else if (response.body !== undefined && rule.pattern.test(response.body)) {
      return rule.label;
    }
  }
  return UNKNOWN_LABEL;
}

/** Human form of the rules, for reports. */
export function describeClassifier(classifier: Classifier): string {
  return classifier.rules.map((r) => (r.kind === 'header' ? `header:${r.name}` : `body:${r.source}=${r.label}`)).join(', ');
}
