// Every image the lab makes a cluster pull is in lab/versions.ts IMAGE_PLATFORMS (with the platforms
// it is published for and where that was read) and pinned by tag or digest — never :latest. The
// list is read off what the lab renders, what the real istioctl generates from the lab's
// IstioOperator, and what the pinned charts render with our values (fixtures/charts/contract.json),
// so neither side can drift.
import test from 'ava';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { EXERCISES } from '../../lab/exercises/index.ts';
import { imagesOf, notNative, pinProblem } from '../../lab/image-facts.ts';
import { labImages } from '../../lab/images.ts';
import { istioOperator } from '../../lab/istio/operator.ts';
import { istioManifestGenerate } from '../../lab/testenv/validate.ts';
import { IMAGE_PLATFORMS, KIND_NODE_IMAGES } from '../../lab/versions.ts';
import { toYaml } from '../../lab/yaml.ts';
import { tempDir, testConfig, testContext } from '../helpers.ts';

const SETTINGS: Array<Record<string, string>> = [
  {},
  { LAB_STORAGE: 'nfs' },
  ...Object.keys(KIND_NODE_IMAGES).map((v) => ({ LAB_K8S_VERSION: v })),
  { LAB_PROVIDER: 'minikube' },
  // Loki and Alloy are installed with the full profile only; their images come from the chart contract.
  { LAB_PROFILE: 'full' },
  // Argo CD (its chart's images) and the lab's git server, in GitOps mode only.
  { LAB_GITOPS: 'argocd' },
];

async function everyImage(): Promise<string[]> {
  const all = new Set<string>();
  for (const env of SETTINGS) for (const i of labImages(testContext(testConfig(env)).ctx)) all.add(i);
  for (const e of EXERCISES) for (const o of Object.values(e.manifests()).flat()) for (const i of imagesOf(o)) all.add(i);
  const file = path.join(tempDir('lab-images-'), 'operator.yaml');
  writeFileSync(file, toYaml(istioOperator()));
  for (const d of parseAllDocuments(await istioManifestGenerate(['-f', file]))) {
    const o = d.toJS() as KubernetesObject | null;
    if (o?.kind) for (const i of imagesOf(o)) all.add(i);
  }
  return [...all].sort();
}

test('every image the lab pulls is in the platform table, pinned by tag or digest', async (t) => {
  const images = await everyImage();
  t.true(images.length >= 20, images.join('\n'));
  t.deepEqual(images.filter((i) => !IMAGE_PLATFORMS[i]), [], 'not in lab/versions.ts IMAGE_PLATFORMS');
  t.deepEqual(images.map(pinProblem).filter(Boolean), []);
  t.true(images.includes('docker.io/istio/proxyv2:1.30.4'), 'the real istioctl names the proxy image the table has');
  t.true(images.some((i) => i.startsWith('kindest/node:v1.35.8@sha256:')));
});

test('every table entry says where its platforms were read, and names only images the lab uses', async (t) => {
  const images = new Set(await everyImage());
  for (const [ref, fact] of Object.entries(IMAGE_PLATFORMS)) {
    t.true(fact.platforms.length > 0 && fact.source.length > 20, ref);
    t.true(images.has(ref), `${ref} is in the table but nothing pulls it`);
  }
});

test('pinProblem: :latest and untagged references are refused; tags and digests pass', (t) => {
  t.regex(pinProblem('docker.io/kbudde/rabbitmq-exporter:latest')!, /:latest/);
  t.regex(pinProblem('docker.io/weaveworksdemos/front-end')!, /no tag/);
  t.regex(pinProblem('localhost:5000/front-end')!, /no tag/, 'a registry port is not a tag');
  t.is(pinProblem('localhost:5000/front-end:0.3.12'), undefined);
  t.is(pinProblem(`kindest/node:v1.35.8@${KIND_NODE_IMAGES['v1.35.8']}`), undefined);
  t.is(pinProblem(`busybox@sha256:${'a'.repeat(64)}`), undefined);
});

test('on arm64, exactly the amd64-only images are reported; an override the table lacks is "unknown"', (t) => {
  const images = labImages(testContext(testConfig({ LAB_ENG_APP_IMAGE: 'ghcr.io/me/eng_app:arm64' })).ctx);
  const { missing, unknown } = notNative(images, 'linux/arm64');
  t.deepEqual(unknown, ['ghcr.io/me/eng_app:arm64']);
  t.deepEqual(missing.filter((i) => !i.includes('weaveworksdemos/')), ['docker.io/mysql:5.7.29']);
  t.is(missing.filter((i) => i.includes('weaveworksdemos/')).length, 10, 'the ten sock-shop images built for amd64 only');
  t.false(missing.some((i) => /istio|kindest|mongo|redis|rabbitmq|busybox/.test(i)), 'multi-arch images are not reported');
  t.deepEqual(notNative(images, 'linux/amd64').missing, []);
});

test('chart images: standard pulls the kube-prometheus-stack, Jaeger, Kiali and Flagger images; only full adds Loki and Alloy', (t) => {
  const standard = labImages(testContext(testConfig({})).ctx);
  const full = labImages(testContext(testConfig({ LAB_PROFILE: 'full' })).ctx);
  const minimal = labImages(testContext(testConfig({ LAB_PROFILE: 'minimal' })).ctx);
  t.true(standard.some((i) => i.startsWith('quay.io/prometheus/prometheus:')));
  t.true(standard.some((i) => i.startsWith('quay.io/kiali/kiali:')));
  t.false(standard.some((i) => i.startsWith('docker.io/grafana/loki:')));
  t.true(full.some((i) => i.startsWith('docker.io/grafana/loki:')) && full.some((i) => i.startsWith('docker.io/grafana/alloy:')));
  t.false(minimal.some((i) => i.startsWith('quay.io/prometheus/')));
  for (const flagger of ['ghcr.io/fluxcd/flagger:1.44.0', 'ghcr.io/fluxcd/flagger-loadtester:0.38.0']) {
    t.true(standard.includes(flagger) && full.includes(flagger), `${flagger}: standard and full`);
    t.false(minimal.includes(flagger), `${flagger}: not minimal`);
    t.deepEqual(IMAGE_PLATFORMS[flagger].platforms, ['linux/amd64', 'linux/arm64'], `${flagger}: published for both (fluxcd/flagger's release workflows)`);
  }
});
