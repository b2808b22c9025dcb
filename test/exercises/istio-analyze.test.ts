// Every exercise's Istio objects, in every phase, pass `istioctl analyze` together with both samples
// and the real Istio install (`istioctl manifest generate` of the lab's IstioOperator) — for the
// circuit breaker with the gateway Deployment carrying the exercise's proxy.istio.io/config.
// Fails, not skips, without istioctl: `make test` builds it first.
import test from 'ava';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments, stringify } from 'yaml';
import { describeRef, refOf } from '../../lab/kube.ts';
import { EXERCISES } from '../../lab/exercises/index.ts';
import { gatewayWithStats, GATEWAY_REF, phaseObject } from '../../lab/exercises/front-end-mesh.ts';
import { istioOperator } from '../../lab/istio/operator.ts';
import { readEngAppEnv } from '../../lab/samples/eng-app-secret.ts';
import { renderEngApp } from '../../lab/samples/eng-app.ts';
import { renderSockShop } from '../../lab/samples/sock-shop.ts';
import { testenvBinDir } from '../../lab/testenv/paths.ts';
import { istioAnalyze, istioManifestGenerate, type IstioFinding } from '../../lab/testenv/validate.ts';
import { REPO, tempDir } from '../helpers.ts';

const dirs: string[] = [];
let install: KubernetesObject[] = [];
const example = path.join(REPO, 'manifests', 'eng-app', 'eng-app.env.example');
const samples = () => [...renderSockShop(), ...renderEngApp({ secretValues: readEngAppEnv(example) })];
const show = (f: IstioFinding[]) => f.map((x) => `${x.code} ${x.level} ${x.resource}: ${x.message}`).join('\n') || '(none)';

test.before(async (t) => {
  if (!existsSync(path.join(testenvBinDir(), 'istioctl'))) t.fail(`istioctl is not built in ${testenvBinDir()}: run make testenv (or make test)`);
  const dir = tempDir('lab-ex-iop-');
  dirs.push(dir);
  writeFileSync(path.join(dir, 'iop.yaml'), stringify(istioOperator(), { version: '1.1' }));
  install = parseAllDocuments(await istioManifestGenerate(['-f', path.join(dir, 'iop.yaml')])).map((d) => d.toJS() as KubernetesObject).filter((o) => o?.kind);
});
test.after.always(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Samples + install, with `replace` standing in for the objects of the same kind/namespace/name. */
function analysisDir(replace: KubernetesObject[]): string {
  const keys = new Set(replace.map((o) => describeRef(refOf(o))));
  const objs = [...install, ...samples()].filter((o) => !keys.has(describeRef(refOf(o))));
  const dir = tempDir('lab-ex-analyze-');
  dirs.push(dir);
  const yaml = (list: KubernetesObject[]) => list.map((o) => stringify(o, { version: '1.1', aliasDuplicateObjects: false })).join('---\n');
  writeFileSync(path.join(dir, 'lab.yaml'), yaml(objs));
  writeFileSync(path.join(dir, 'exercise.yaml'), yaml(replace));
  return dir;
}

const analyze = (dir: string) => istioAnalyze(dir, { failureThreshold: 'Warning', extraArgs: ['--all-namespaces'] });

for (const ex of EXERCISES) {
  for (const [phase, objs] of Object.entries(ex.manifests())) {
    test(`${ex.name} (${phase}): no warnings or errors`, async (t) => {
      const extra = [...objs];
      if (ex.name === 'circuit-breaker') {
        const gw = install.find((o) => describeRef(refOf(o)) === describeRef(GATEWAY_REF));
        t.truthy(gw, 'the install has the ingress gateway Deployment');
        t.is(gatewayWithStats(gw!), undefined, 'the IstioOperator already asks for the overflow stat: the exercise changes nothing on the gateway');
      }
      t.true(objs.length > 0);
      const r = await analyze(analysisDir(extra));
      t.deepEqual(r.findings.filter((f) => f.level !== 'Info'), [], show(r.findings));
      t.is(r.exitCode, 0, r.stderr);
      t.notRegex(r.stderr, /error processing|could not be parsed/);
    });
  }
}

test('not vacuous: an exercise route to a subset its DestinationRule lacks is reported (IST0101)', async (t) => {
  const dr = phaseObject('traffic-split', '80-20', 'DestinationRule') as KubernetesObject & { spec: { subsets: unknown[] } };
  dr.spec.subsets = dr.spec.subsets.slice(0, 1);
  const r = await analyze(analysisDir([dr, phaseObject('traffic-split', '80-20', 'VirtualService')]));
  t.is(r.exitCode, 79);
  t.true(r.findings.some((f) => f.code === 'IST0101' && f.message.includes('"front-end+v2"')), show(r.findings));
});
