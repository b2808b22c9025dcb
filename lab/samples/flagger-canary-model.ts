// A schema check for Flagger's Canary (flagger.app/v1beta1), written for the lab from the facts of
// the CRD Flagger v1.44.0 installs (artifacts/flagger/crd.yaml: which fields are required, their
// types, enums and duration patterns) — there is no published model package for it. Used by
// validate.ts like the kubernetes-models classes: validate() throws one line per problem. On sim the
// API server checks the same object against the real CRD (test/cluster/canary.test.ts).
type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const DURATION = /^[0-9]+(m|s)/;
const TARGET_KINDS = ['DaemonSet', 'Deployment', 'Service'];
const WEBHOOK_TYPES = ['', 'confirm-rollout', 'pre-rollout', 'rollout', 'confirm-promotion', 'post-rollout', 'event', 'rollback', 'confirm-traffic-increase'];

function need(problems: string[], o: Obj, path: string, key: string, type: 'string' | 'number' | 'boolean' | 'object' | 'array', required = false): unknown {
  const v = o[key];
  if (v === undefined) {
    if (required) problems.push(`${path}${key} is required`);
    return undefined;
  }
  const ok = type === 'array' ? Array.isArray(v) : type === 'object' ? isObj(v) : typeof v === type;
  if (!ok) problems.push(`${path}${key} must be ${type === 'array' || type === 'object' ? `an ${type}` : `a ${type}`}`);
  return ok ? v : undefined;
}

function duration(problems: string[], o: Obj, path: string, key: string, required = false): void {
  const v = need(problems, o, path, key, 'string', required);
  if (typeof v === 'string' && !DURATION.test(v)) problems.push(`${path}${key} must match ${DURATION.source}, got ${JSON.stringify(v)}`);
}

export function canaryProblems(c: Obj): string[] {
  const p: string[] = [];
  const spec = need(p, c, '', 'spec', 'object', true) as Obj | undefined;
  if (!spec) return p;
  const target = need(p, spec, 'spec.', 'targetRef', 'object', true) as Obj | undefined;
  if (target) {
    need(p, target, 'spec.targetRef.', 'apiVersion', 'string', true);
    const kind = need(p, target, 'spec.targetRef.', 'kind', 'string', true);
    need(p, target, 'spec.targetRef.', 'name', 'string', true);
    if (typeof kind === 'string' && !TARGET_KINDS.includes(kind)) p.push(`spec.targetRef.kind must be one of ${TARGET_KINDS.join(', ')}`);
  }
  const service = need(p, spec, 'spec.', 'service', 'object', true) as Obj | undefined;
  if (service) {
    need(p, service, 'spec.service.', 'port', 'number', true);
    need(p, service, 'spec.service.', 'portName', 'string');
    for (const k of ['hosts', 'gateways']) {
      const list = need(p, service, 'spec.service.', k, 'array') as unknown[] | undefined;
      if (list?.some((h) => typeof h !== 'string')) p.push(`spec.service.${k} must hold strings`);
    }
  }
  for (const k of ['revertOnDeletion', 'suspend', 'skipAnalysis']) need(p, spec, 'spec.', k, 'boolean');
  need(p, spec, 'spec.', 'progressDeadlineSeconds', 'number');
  const analysis = need(p, spec, 'spec.', 'analysis', 'object') as Obj | undefined;
  if (analysis) {
    duration(p, analysis, 'spec.analysis.', 'interval', true);
    need(p, analysis, 'spec.analysis.', 'threshold', 'number', true);
    for (const k of ['maxWeight', 'stepWeight', 'iterations']) need(p, analysis, 'spec.analysis.', k, 'number');
    if (!['iterations', 'stepWeight', 'stepWeights'].some((k) => k in analysis)) p.push('spec.analysis needs one of iterations, stepWeight, stepWeights');
    const metrics = (need(p, analysis, 'spec.analysis.', 'metrics', 'array') as unknown[] | undefined) ?? [];
    metrics.forEach((m, i) => {
      const at = `spec.analysis.metrics[${i}].`;
      if (!isObj(m)) return void p.push(`${at.slice(0, -1)} must be an object`);
      need(p, m, at, 'name', 'string', true);
      duration(p, m, at, 'interval');
      const range = need(p, m, at, 'thresholdRange', 'object') as Obj | undefined;
      if (range) for (const k of ['min', 'max']) need(p, range, `${at}thresholdRange.`, k, 'number');
    });
    const hooks = (need(p, analysis, 'spec.analysis.', 'webhooks', 'array') as unknown[] | undefined) ?? [];
    hooks.forEach((h, i) => {
      const at = `spec.analysis.webhooks[${i}].`;
      if (!isObj(h)) return void p.push(`${at.slice(0, -1)} must be an object`);
      need(p, h, at, 'name', 'string', true);
      const url = need(p, h, at, 'url', 'string', true);
      if (typeof url === 'string' && !URL.canParse(url)) p.push(`${at}url is not a URL: ${JSON.stringify(url)}`);
      const type = need(p, h, at, 'type', 'string');
      if (typeof type === 'string' && !WEBHOOK_TYPES.includes(type)) p.push(`${at}type must be one of ${WEBHOOK_TYPES.filter(Boolean).join(', ')}`);
      duration(p, h, at, 'timeout');
      const meta = need(p, h, at, 'metadata', 'object') as Obj | undefined;
      if (meta && Object.values(meta).some((v) => typeof v !== 'string')) p.push(`${at}metadata values must be strings`);
    });
  }
  return p;
}

/** The Canary kind in validate.ts's model shape. */
export class Canary {
  static readonly apiVersion = 'flagger.app/v1beta1';
  static readonly kind = 'Canary';
  constructor(private readonly data: Obj) {}
  validate(): void {
    const problems = canaryProblems(this.data);
    if (problems.length > 0) throw new Error(problems.join('\n'));
  }
}
