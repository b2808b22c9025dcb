// The footprint behind bench/footprint.ts and preflight's PROFILE_NEEDS: quantities, a pod's
// effective request (init containers vs the sum of the others), injected sidecars, the Istio demo
// profile's sidecar size as the real istioctl generates it, and PROFILE_NEEDS equal to what the
// footprint derives — so a change to any request in manifests/ or the chart values shows up as a
// failing test with the new numbers, not as a preflight that guesses.
import test from 'ava';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { loadContract } from '../../lab/charts/contract.ts';
import { GITOPS_NEEDS, PROFILES, PROFILE_NEEDS } from '../../lab/config-keys.ts';
import { chartPodSets } from '../../lab/footprint/chart-workloads.ts';
import { gitopsParts, labFootprint, sampleManifests } from '../../lab/footprint/lab-footprint.ts';
import { DEMO_SIDECAR, injectedNamespaces, istioPodSets, podSetsOf } from '../../lab/footprint/lab-workloads.ts';
import { acceptedMemoryMiB, needsFor } from '../../lab/footprint/needs.ts';

import { profileFootprint } from '../../lab/footprint/profile.ts';
import { podFootprint } from '../../lab/footprint/pods.ts';
import { GiB, MiB, parseQuantity } from '../../lab/footprint/quantity.ts';
import { istioOperator } from '../../lab/istio/operator.ts';
import { istioManifestGenerate } from '../../lab/testenv/validate.ts';
import { toYaml } from '../../lab/yaml.ts';
import { tempDir } from '../helpers.ts';

test('quantities: millicores, binary and decimal suffixes; garbage is refused', (t) => {
  t.is(parseQuantity('250m'), 0.25);
  t.is(parseQuantity('2'), 2);
  t.is(parseQuantity('512Mi'), 512 * MiB);
  t.is(parseQuantity('1Gi'), GiB);
  t.is(parseQuantity('1G'), 1e9);
  t.is(parseQuantity(undefined), 0);
  t.throws(() => parseQuantity('lots'), { message: /not a resource quantity/ });
});

test("a pod's effective request: the larger of its biggest init container and the sum of the others", (t) => {
  const f = podFootprint('p', [
    { name: 'init', init: true, requests: { cpu: '500m', memory: '64Mi' }, limits: { memory: '64Mi' } },
    { name: 'a', requests: { cpu: '100m', memory: '100Mi' }, limits: { memory: '200Mi' } },
    { name: 'b', requests: { cpu: '100m', memory: '28Mi' } },
  ]);
  t.is(f.cpuRequest, 0.5);
  t.is(f.memRequest, 128 * MiB);
  t.is(f.memLimit, 228 * MiB, 'a container without a limit counts its request');
  t.deepEqual(f.unbounded, ['p/b']);
});

test('pods in an injected namespace get a sidecar sized by their annotations; inject: "false" gets none', (t) => {
  const sets = podSetsOf(sampleManifests());
  const fe = sets.find((s) => s.what === 'Deployment/sock-shop/front-end')!;
  t.deepEqual(fe.containers.map((c) => c.name), ['front-end', 'istio-proxy']);
  t.deepEqual(fe.containers[1].requests, { cpu: '10m', memory: '48Mi' });
  t.false(sets.some((s) => s.what.includes('db-init')), 'a Job is not a standing pod');
  const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x', labels: { 'istio-injection': 'enabled' } } };
  const dep = (name: string, annotations: Record<string, string>) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'x' }, spec: { replicas: 2, template: { metadata: { annotations }, spec: { containers: [{ name: 'c' }] } } } });
  const [plain, off] = podSetsOf([ns, dep('plain', {}), dep('off', { 'sidecar.istio.io/inject': 'false' })] as KubernetesObject[]);
  t.deepEqual(plain.containers[1].requests, DEMO_SIDECAR.requests, "Istio's demo default without annotations");
  t.is(plain.pods, 2);
  t.is(off.containers.length, 1);
});

test("the demo profile's sidecar size is what the real istioctl puts in the injector", async (t) => {
  const file = path.join(tempDir('lab-fp-'), 'operator.yaml');
  writeFileSync(file, toYaml(istioOperator()));
  const cm = parseAllDocuments(await istioManifestGenerate(['-f', file])).map((d) => d.toJS() as KubernetesObject & { data?: Record<string, string> })
    .find((o) => o?.kind === 'ConfigMap' && o.metadata?.name === 'istio-sidecar-injector');
  const proxy = JSON.parse(cm!.data!.values).global.proxy.resources;
  t.deepEqual(proxy, { requests: { ...DEMO_SIDECAR.requests }, limits: { ...DEMO_SIDECAR.limits } });
  t.deepEqual(istioPodSets(istioOperator()).map((s) => s.what), ['Deployment/istio-system/istiod', 'Deployment/istio-system/istio-ingressgateway']);
});

test('DaemonSets count once per node; profiles add exactly their releases', (t) => {
  const minimal = labFootprint('minimal');
  const full = labFootprint('full');
  t.deepEqual(minimal.parts.map((p) => p.component), ['istio', 'samples']);
  t.deepEqual(full.parts.map((p) => p.component), ['istio', 'samples', 'prometheusStack', 'jaeger', 'kiali', 'flagger', 'flaggerLoadtester', 'loki', 'alloy']);
  t.deepEqual(labFootprint('standard').parts.map((p) => p.component), ['istio', 'samples', 'prometheusStack', 'jaeger', 'kiali', 'flagger', 'flaggerLoadtester']);
  const alloy = full.parts.find((p) => p.component === 'alloy')!;
  t.is(alloy.pods, 5, 'one per node: control plane + 4 workers');
  t.is(labFootprint('full', 6).parts.find((p) => p.component === 'alloy')!.pods, 7);
});

test("PROFILE_NEEDS is what the footprint derives (so preflight's figures follow every request)", (t) => {
  for (const p of PROFILES) {
    const { components: _c, ...need } = PROFILE_NEEDS[p];
    t.deepEqual(need, needsFor(labFootprint(p)), `${p}: update PROFILE_NEEDS in lab/config-keys.ts (npx tsx bench/footprint.ts prints the figures)`);
    t.deepEqual(GITOPS_NEEDS[p], needsFor(labFootprint(p, 4, { gitops: true })), `${p} with LAB_GITOPS=argocd: update GITOPS_NEEDS in lab/config-keys.ts`);
  }
  const gitops = gitopsParts().map((x) => x.component);
  t.deepEqual(gitops, ['argocd', 'git-server']);
  t.true(GITOPS_NEEDS.full.memoryMiB > PROFILE_NEEDS.full.memoryMiB, 'Argo CD is not free: full needs a bigger engine with it');
  t.is(acceptedMemoryMiB(8192), 7618);
});

test('the derivation follows the contract: a release asking for 4 GiB more raises the need', (t) => {
  const contract = loadContract();
  const base = needsFor(labFootprint('full'));
  const fat = structuredClone(contract);
  fat.releases.loki.workloads[0].containers[0].requests.memory = '4352Mi'; // was 256Mi
  const f = profileFootprint({ profile: 'full', nodes: 5, istioOperator: istioOperator(), samples: sampleManifests(), releasePods: (k) => chartPodSets(k, injectedNamespaces(sampleManifests()), fat) });
  t.is(needsFor(f).memoryMiB, base.memoryMiB + 4096);
  t.notDeepEqual(needsFor(f), { cpus: PROFILE_NEEDS.full.cpus, memoryMiB: PROFILE_NEEDS.full.memoryMiB });
});

test("a chart's pods in a meshed namespace count the sidecar Istio injects, sized by their annotations; elsewhere none", (t) => {
  const contract = loadContract();
  const injected = injectedNamespaces(sampleManifests());
  t.true(injected.has('sock-shop'));
  const [loadtester] = chartPodSets('flaggerLoadtester', injected, contract);
  t.is(loadtester.what, 'Deployment/sock-shop/flagger-loadtester');
  t.deepEqual(loadtester.containers.map((c) => [c.name, c.requests]), [['loadtester', { cpu: '10m', memory: '16Mi' }], ['istio-proxy', { cpu: '10m', memory: '40Mi' }]], 'its values size the sidecar');
  t.deepEqual(chartPodSets('flagger', injected, contract)[0].containers.map((c) => c.name), ['flagger'], 'istio-system injects nothing');
  t.deepEqual(chartPodSets('flaggerLoadtester', new Set(), contract)[0].containers.map((c) => c.name), ['loadtester'], 'no sidecar outside a meshed namespace');
  // The annotations size it: 64Mi asked is 64Mi counted; without them it is Istio's demo default; inject: "false" is none.
  const big = structuredClone(contract);
  big.releases['flagger-loadtester'].workloads[0].sidecarAnnotations = { 'sidecar.istio.io/proxyMemory': '64Mi' };
  t.is(chartPodSets('flaggerLoadtester', injected, big)[0].containers[1].requests?.memory, '64Mi');
  const bare = structuredClone(contract);
  delete bare.releases['flagger-loadtester'].workloads[0].sidecarAnnotations;
  t.deepEqual(chartPodSets('flaggerLoadtester', injected, bare)[0].containers[1].requests, DEMO_SIDECAR.requests);
  const off = structuredClone(contract);
  off.releases['flagger-loadtester'].workloads[0].sidecarAnnotations = { 'sidecar.istio.io/inject': 'false' };
  t.is(chartPodSets('flaggerLoadtester', injected, off)[0].containers.length, 1);
  const part = labFootprint('standard').parts.find((p) => p.component === 'flaggerLoadtester')!;
  t.is(part.footprint.memRequest, 56 * MiB, 'the standard profile counts the loadtester (16Mi) with its sidecar (40Mi)');
});
