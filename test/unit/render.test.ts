// `lab render --out DIR` as a user runs it: one file per component; every object validates against
// kubernetes-models (+ Istio models); the real `istioctl manifest generate` accepts the rendered
// IstioOperator and names real images; `istioctl analyze` over the rendered set together with that
// install finds no errors. The rendered Secret carries the example values, never eng-app.env's.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { loadValues } from '../../lab/charts/values.ts';
import { validateObjects } from '../../lab/samples/validate.ts';
import { CHARTS } from '../../lab/versions.ts';
import { istioAnalyze, istioManifestGenerate } from '../../lab/testenv/validate.ts';
import { LAB_MJS, LAB_NODE, REPO, tempDir } from '../helpers.ts';

const project = tempDir('lab-render-');
const HELMFILE = 'helm-releases.yaml';
const out = path.join(project, 'rendered');
let objects: Array<KubernetesObject & { file: string }> = [];

test.before(() => {
  writeFileSync(path.join(project, 'eng-app.env'), readFileSync(path.join(REPO, 'manifests', 'eng-app', 'eng-app.env.example'), 'utf8').replaceAll('change-me-root', 'my-real-secret'));
  const r = spawnSync(LAB_NODE, [LAB_MJS, 'render', '--out', out], {
    cwd: project,
    encoding: 'utf8',
    env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('LAB_'))), CI: 'true' },
  });
  if (r.status !== 0) throw new Error(`lab render failed: ${r.stderr}`);
  for (const file of (readdirSync(out, { recursive: true }) as string[]).filter((f) => f.endsWith('.yaml') && !f.startsWith('cluster') && f !== HELMFILE)) {
    for (const doc of parseAllDocuments(readFileSync(path.join(out, file), 'utf8'))) objects.push({ ...(doc.toJS() as KubernetesObject), file });
  }
});

test('one file per manifests/ folder, the exercises\' phases under exercises/, plus the kind config', (t) => {
  t.deepEqual((readdirSync(out, { recursive: true }) as string[]).filter((f) => f.endsWith('.yaml')).sort(), [
    'cluster/kind-config.yaml', 'eng-app.yaml',
    'exercises/blue-green/blue.yaml', 'exercises/blue-green/green.yaml', 'exercises/canary/front-end.yaml',
    'exercises/circuit-breaker/all-to-v1.yaml', 'exercises/circuit-breaker/breaker.yaml', 'exercises/circuit-breaker/carts-down.yaml',
    'exercises/fault-injection/fault.yaml', 'exercises/mtls/clients.yaml', 'exercises/mtls/strict.yaml',
    'exercises/retries-timeouts/retries.yaml', 'exercises/retries-timeouts/timeout.yaml',
    'exercises/scheduling/probe.yaml', 'exercises/traffic-split/80-20.yaml',
    HELMFILE, 'istio.yaml', 'istio/istio-operator.yaml', 'observability/grafana.yaml', 'observability/monitors.yaml', 'sock-shop.yaml', 'storage/hostpath.yaml',
  ]);
  t.deepEqual(readdirSync(path.join(out, 'cluster')), ['kind-config.yaml']);
  const count = (file: string) => objects.filter((o) => o.file === file).length;
  // sock-shop: namespace, 15 Deployments (14 + front-end v2), 14 Services, Gateway/VirtualService/DestinationRule
  t.is(count('sock-shop.yaml'), 33);
  // eng-app: namespace, Secret, 2 Deployments, 2 Services, 2 PVCs, the db-init Job, Gateway/VirtualService/DestinationRule
  t.is(count('eng-app.yaml'), 12);
  t.is(count('storage/hostpath.yaml'), 3);
});

test('every rendered object validates against its schema (each file on its own: exercise phases change sample objects)', (t) => {
  for (const file of new Set(objects.map((o) => o.file))) {
    t.deepEqual(validateObjects(objects.filter((o) => o.file === file).map(({ file: _f, ...o }) => o)), [], file);
  }
});

test('the validator is not a rubber stamp: a broken copy is reported', (t) => {
  const svc = objects.find((o) => o.kind === 'Service') as unknown as { spec: { ports: Array<Record<string, unknown>> } } & KubernetesObject;
  const broken = { ...svc, spec: { ...svc.spec, ports: [{ name: 'http' }] } };
  t.regex(validateObjects([broken]).join('\n'), /port/);
});

test('the rendered Secret uses the example values, never your eng-app.env', (t) => {
  const text = readFileSync(path.join(out, 'eng-app.yaml'), 'utf8');
  const secret = objects.find((o) => o.kind === 'Secret') as unknown as { data: Record<string, string> };
  t.is(Buffer.from(secret.data.MYSQL_ROOT_PASSWORD, 'base64').toString(), 'change-me-root');
  t.false(text.includes(Buffer.from('my-real-secret').toString('base64')));
});

test('istioctl manifest generate accepts the rendered IstioOperator: NodePorts, node groups, real images', async (t) => {
  const manifest = await istioManifestGenerate(['-f', path.join(out, 'istio', 'istio-operator.yaml')]);
  const docs = parseAllDocuments(manifest).map((d) => d.toJS() as Record<string, any>).filter(Boolean);
  const gwSvc = docs.find((d) => d.kind === 'Service' && d.metadata.name === 'istio-ingressgateway');
  t.is(gwSvc?.spec.type, 'NodePort');
  t.deepEqual(gwSvc?.spec.ports.filter((p: any) => p.nodePort).map((p: any) => [p.name, p.nodePort]), [['http2', 31380], ['https', 31390]]);
  const dep = (name: string) => docs.find((d) => d.kind === 'Deployment' && d.metadata.name === name);
  t.is(dep('istio-ingressgateway')?.spec.template.spec.nodeSelector['node.kubernetes.io/nodegroup'], 'ingress');
  t.is(dep('istiod')?.spec.template.spec.nodeSelector['node.kubernetes.io/nodegroup'], 'system');
  t.is(dep('istiod')?.spec.template.spec.containers[0].image, 'docker.io/istio/pilot:1.30.4');
  const mesh = docs.find((d) => d.kind === 'ConfigMap' && d.metadata.name === 'istio')?.data.mesh as string;
  t.regex(mesh, /accessLogFile: \/dev\/stdout/);
  t.regex(mesh, /service: jaeger\.monitoring\.svc\.cluster\.local/);
});

test('istioctl analyze over the rendered samples + the generated Istio install: no errors, no port-name findings', async (t) => {
  const dir = tempDir('lab-analyze-all-');
  for (const f of readdirSync(out).filter((x) => x.endsWith('.yaml') && x !== HELMFILE)) {
    writeFileSync(path.join(dir, f), readFileSync(path.join(out, f)));
  }
  writeFileSync(path.join(dir, 'storage.yaml'), readFileSync(path.join(out, 'storage', 'hostpath.yaml')));
  writeFileSync(path.join(dir, 'istio-install.yaml'), await istioManifestGenerate(['-f', path.join(out, 'istio', 'istio-operator.yaml')]));
  const r = await istioAnalyze(dir, { extraArgs: ['--all-namespaces'] });
  const errors = r.findings.filter((f) => f.level === 'Error');
  t.deepEqual(errors, []);
  t.is(r.exitCode, 0, r.stderr);
  t.deepEqual(r.findings.filter((f) => f.code === 'IST0118'), []);
  t.notRegex(r.stderr, /error processing|could not be parsed/);
});

test('helm-releases.yaml: helmfile\'s shape, exactly the releases up installs for these settings, pinned, our values inline', (t) => {
  const doc = parseAllDocuments(readFileSync(path.join(out, HELMFILE), 'utf8'))[0].toJS() as {
    repositories: Array<{ name: string; url: string }>;
    releases: Array<{ name: string; namespace: string; chart: string; version: string; values: unknown[] }>;
  };
  // LAB_PROFILE=standard (the default): kube-prometheus-stack, Jaeger, Kiali, Flagger and its loadtester — not Loki/Alloy.
  t.deepEqual(doc.releases.map((r) => `${r.namespace}/${r.name} ${r.chart}@${r.version}`), [
    `monitoring/kube-prometheus-stack prometheus-community/kube-prometheus-stack@${CHARTS['kube-prometheus-stack'].version}`,
    `monitoring/jaeger jaegertracing/jaeger@${CHARTS.jaeger.version}`,
    `istio-system/kiali kiali/kiali-server@${CHARTS['kiali-server'].version}`,
    `istio-system/flagger flagger/flagger@${CHARTS.flagger.version}`,
    `sock-shop/flagger-loadtester flagger/loadtester@${CHARTS.loadtester.version}`,
  ]);
  t.deepEqual(doc.repositories, [
    { name: 'prometheus-community', url: 'https://prometheus-community.github.io/helm-charts' },
    { name: 'jaegertracing', url: 'https://jaegertracing.github.io/helm-charts' },
    { name: 'kiali', url: 'https://kiali.org/helm-charts' },
    { name: 'flagger', url: 'https://flagger.app' },
  ], 'one repository for both Flagger charts');
  for (const r of doc.releases) t.deepEqual(r.values, [loadValues(r.name)], `${r.name}: the values up gives helm`);
});

test('helm-releases.yaml follows LAB_PROFILE: full adds Loki and Alloy to standard\'s; minimal writes none', (t) => {
  const render = (profile: string) => {
    const dir = path.join(tempDir('lab-render-p-'), 'out');
    const r = spawnSync(LAB_NODE, [LAB_MJS, 'render', '--out', dir, '--profile', profile], { cwd: project, encoding: 'utf8', env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('LAB_'))), CI: 'true' } });
    t.is(r.status, 0, r.stderr);
    return dir;
  };
  const full = parseAllDocuments(readFileSync(path.join(render('full'), HELMFILE), 'utf8'))[0].toJS() as { releases: Array<{ name: string }> };
  t.deepEqual(full.releases.map((r) => r.name), ['kube-prometheus-stack', 'loki', 'alloy', 'jaeger', 'kiali', 'flagger', 'flagger-loadtester']);
  const minimal = render('minimal');
  t.false(readdirSync(minimal).includes(HELMFILE));
  t.false(readdirSync(minimal).includes('observability'));
});

test("an access-log line in the mesh's format carries the trace id that Loki's derived field links to Jaeger", async (t) => {
  const manifest = await istioManifestGenerate(['-f', path.join(out, 'istio', 'istio-operator.yaml')]);
  const docs = parseAllDocuments(manifest).map((d) => d.toJS() as Record<string, any>).filter(Boolean);
  const mesh = parseAllDocuments(docs.find((d) => d.kind === 'ConfigMap' && d.metadata.name === 'istio')?.data.mesh as string)[0].toJS() as { accessLogFormat?: string };
  t.truthy(mesh.accessLogFormat, 'istioctl keeps the lab\'s accessLogFormat in the mesh config');
  // One line as Envoy would write it: every command operator replaced by a plausible value.
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const line = mesh.accessLogFormat!
    .replace('%REQ(TRACEPARENT)%', `00-${traceId}-00f067aa0ba902b7-01`)
    .replace('%REQ(X-REQUEST-ID)%', '6f1c1a1e-2f7e-4b8e-9d1c-3c2f0b8e7a11')
    .replace(/%[A-Z_]+(\([^)]*\))?%/g, '-');
  const ds = readFileSync(path.join(REPO, 'manifests', 'observability', 'grafana-loki', 'datasource-loki.yaml'), 'utf8');
  const regex = /matcherRegex: '([^']+)'/.exec(ds)![1];
  t.is(new RegExp(regex).exec(line)?.[1], traceId);
  // Without the traceparent operator the same line has no trace id to link: the format is what makes the link.
  const withoutTrace = line.replace(/ traceparent=\S+/, '');
  t.is(new RegExp(regex).exec(withoutTrace), null);
});
