// The canary exercise's Istio side is what Flagger writes once it has initialised the Canary
// (lab/exercises/canary-routing.ts: its VirtualService front-end in place of the lab's, the
// DestinationRules front-end-primary/-canary, the three Services with the lab's Service front-end
// rewritten, the primary): `istioctl analyze` accepts it together with both samples and the real
// Istio install, with front-end and front-end-v2 at 0 replicas as the exercise leaves them. And it
// is not vacuous: a Canary binding "*" to the mesh gateway, or naming a gateway that does not exist,
// is reported. (istioctl 1.30 offline does not report a destination host without a Service — tried —
// so that is not what proves it.)
import test from 'ava';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments, stringify } from 'yaml';
import { canaryObject, SERVICE_REF, TARGET_REF, V2_REF } from '../../lab/exercises/canary-spec.ts';
import { flaggerObjects } from '../../lab/exercises/canary-routing.ts';
import { withReplicas } from '../../lab/exercises/front-end-mesh.ts';
import { istioOperator } from '../../lab/istio/operator.ts';
import { describeRef, refOf, type ObjRef } from '../../lab/kube.ts';
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
const find = (objs: KubernetesObject[], r: ObjRef) => objs.find((o) => describeRef(refOf(o)) === describeRef(r))!;

test.before(async (t) => {
  if (!existsSync(path.join(testenvBinDir(), 'istioctl'))) t.fail(`istioctl is not built in ${testenvBinDir()}: run make testenv (or make test)`);
  const dir = tempDir('lab-canary-iop-');
  dirs.push(dir);
  writeFileSync(path.join(dir, 'iop.yaml'), stringify(istioOperator(), { version: '1.1' }));
  install = parseAllDocuments(await istioManifestGenerate(['-f', path.join(dir, 'iop.yaml')])).map((d) => d.toJS() as KubernetesObject).filter((o) => o?.kind);
});
test.after.always(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** The samples with front-end and front-end-v2 at 0 replicas, Flagger's objects in place of the lab's. */
function flaggerSide(c = canaryObject()): KubernetesObject[] {
  const sock = renderSockShop();
  return [...flaggerObjects(c, find(sock, TARGET_REF), find(sock, SERVICE_REF)), withReplicas(find(sock, TARGET_REF), 0), withReplicas(find(sock, V2_REF), 0)];
}

async function analyze(replace: KubernetesObject[]) {
  const keys = new Set(replace.map((o) => describeRef(refOf(o))));
  const dir = tempDir('lab-canary-analyze-');
  dirs.push(dir);
  const yaml = (list: KubernetesObject[]) => list.map((o) => stringify(o, { version: '1.1', aliasDuplicateObjects: false })).join('---\n');
  writeFileSync(path.join(dir, 'lab.yaml'), yaml([...install, ...samples()].filter((o) => !keys.has(describeRef(refOf(o))))));
  writeFileSync(path.join(dir, 'flagger.yaml'), yaml(replace));
  return istioAnalyze(dir, { failureThreshold: 'Warning', extraArgs: ['--all-namespaces'] });
}

test('Flagger\'s routing for the Canary, with the samples and the install: no warnings or errors', async (t) => {
  const objs = flaggerSide();
  t.deepEqual(objs.map((o) => describeRef(refOf(o))), [
    'Deployment/sock-shop/front-end-primary', 'Service/sock-shop/front-end', 'Service/sock-shop/front-end-primary', 'Service/sock-shop/front-end-canary',
    'DestinationRule/sock-shop/front-end-canary', 'DestinationRule/sock-shop/front-end-primary', 'VirtualService/sock-shop/front-end',
    'Deployment/sock-shop/front-end', 'Deployment/sock-shop/front-end-v2',
  ]);
  const r = await analyze(objs);
  t.deepEqual(r.findings.filter((f) => f.level !== 'Info'), [], show(r.findings));
  t.is(r.exitCode, 0, r.stderr);
  t.notRegex(r.stderr, /error processing|could not be parsed/);
});

test('not vacuous: a Canary that also binds the mesh gateway to host "*" (to split in-mesh traffic too) is refused (IST0106)', async (t) => {
  const c = canaryObject();
  c.spec.service.gateways = ['sock-shop-gateway', 'mesh'];
  const r = await analyze(flaggerSide(c));
  t.is(r.exitCode, 79);
  t.true(r.findings.some((f) => f.code === 'IST0106' && f.message.includes('wildcard host * is not allowed for virtual services bound to the mesh gateway')), show(r.findings));
});

test('not vacuous: a Canary naming a gateway that does not exist is reported', async (t) => {
  const c = canaryObject();
  c.spec.service.gateways = ['sock-shop-gatway'];
  const r = await analyze(flaggerSide(c));
  t.is(r.exitCode, 79);
  t.true(r.findings.some((f) => f.message.includes('sock-shop-gatway')), show(r.findings));
});
