// Where `charts refresh` and `up` read chart text from: YAML as helm reads it (Flagger's CRDs carry
// quoted descriptions the strict `yaml` package refuses), a published archive given to --from DIR
// (checked against its pin before it is unpacked), and the pod template's sidecar annotations the
// contract keeps for the footprint.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { sha256File } from '../../lab/charts/archive.ts';
import { chartDirFor } from '../../lab/charts/chart-dirs.ts';
import { crdsInTree } from '../../lab/charts/crds.ts';
import { parseChartYaml } from '../../lab/charts/helm-yaml.ts';
import { workloadsOf } from '../../lab/charts/render-facts.ts';
import { ZxRunner } from '../../lab/run.ts';
import type { ChartPin } from '../../lab/versions.ts';
import { REPO, tempDir } from '../helpers.ts';

// A CRD as controller-gen writes them: a 'quoted' description continued at its key's indentation.
const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.test
spec:
  group: example.test
  names: { kind: Widget, plural: widgets }
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            apiVersion:
              description: 'A first line of the description
              and its second line, at the key''s own indentation'
              type: string
---
# an empty document, as helm's output has between files
`;

test("chart YAML is read as helm reads it: a quoted description continued at its key's indentation", (t) => {
  const strict = parseAllDocuments(CRD)[0];
  t.regex(strict.errors[0]?.message ?? '', /Missing closing 'quote/, 'the `yaml` package refuses it (why helm-yaml.ts exists)');
  const objs = parseChartYaml(CRD, 'test CRD');
  t.is(objs.length, 1, 'empty documents are dropped');
  const props = (objs[0] as { spec: { versions: Array<{ schema: { openAPIV3Schema: { properties: Record<string, { description: string; type: string }> } } }> } })
    .spec.versions[0].schema.openAPIV3Schema.properties;
  t.deepEqual(props.apiVersion, { description: "A first line of the description and its second line, at the key's own indentation", type: 'string' });
  t.throws(() => parseChartYaml('a: [1, 2', 'broken.yaml'), { message: /broken\.yaml is not valid YAML/ });
});

test("a chart's crds/ folder yields whole CRDs (what up applies server-side)", (t) => {
  const chart = path.join(tempDir('lab-crds-'), 'widget');
  mkdirSync(path.join(chart, 'crds'), { recursive: true });
  writeFileSync(path.join(chart, 'crds', 'crd.yaml'), CRD);
  const [crd] = crdsInTree(chart);
  t.is(crd.metadata?.name, 'widgets.example.test');
  const schema = (crd as unknown as { spec: { versions: Array<{ schema: { openAPIV3Schema: { properties: Record<string, unknown> } } }> } }).spec.versions[0].schema.openAPIV3Schema;
  t.deepEqual(schema.properties.apiVersion, { description: "A first line of the description and its second line, at the key's own indentation", type: 'string' }, 'not cut at the line end');
});

test("templates/crds/ is not a crds/ folder: CRDs a chart renders as templates (argo-cd's) are left to helm", (t) => {
  const chart = path.join(tempDir('lab-crds-'), 'widget');
  mkdirSync(path.join(chart, 'crds'), { recursive: true });
  mkdirSync(path.join(chart, 'templates', 'crds'), { recursive: true });
  writeFileSync(path.join(chart, 'crds', 'crd.yaml'), CRD);
  writeFileSync(path.join(chart, 'templates', 'crds', 'crd-gadget.yaml'), '{{- if .Values.crds.install }}\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: gadgets.example.test\n{{- end }}\n');
  t.deepEqual(crdsInTree(chart).map((c) => c.metadata?.name), ['widgets.example.test']);
});

function packedLabTest(dir: string): string {
  const tgz = path.join(dir, 'lab-test-0.1.0.tgz');
  const r = spawnSync('tar', ['-czf', tgz, '-C', path.join(REPO, 'fixtures', 'charts'), 'lab-test'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return tgz;
}

test('--from DIR takes a published archive DIR/<chart>-<version>.tgz, checked against its pin first', async (t) => {
  const from = tempDir('lab-from-');
  const tgz = packedLabTest(from);
  const pin: ChartPin = { chart: 'lab-test', version: '0.1.0', appVersion: '1.0', repo: { name: 'local', url: 'http://127.0.0.1:1' }, sha256: sha256File(tgz), digestSource: 'this test', source: 'fixtures/charts/lab-test' };
  const run = new ZxRunner(false);
  const dir = await chartDirFor(run, pin, { from, cacheDir: tempDir('lab-cache-'), work: tempDir('lab-work-') });
  t.is(path.basename(dir), 'lab-test');
  const other = tempDir('lab-from-bad-');
  copyFileSync(tgz, path.join(other, 'lab-test-0.1.0.tgz'));
  await t.throwsAsync(chartDirFor(run, { ...pin, sha256: '0'.repeat(64) }, { from: other, cacheDir: tempDir('lab-cache-'), work: tempDir('lab-work-') }), { message: /does not match its pin/ });
  await t.throwsAsync(chartDirFor(run, pin, { from: tempDir('lab-from-empty-'), cacheDir: tempDir('lab-cache-'), work: tempDir('lab-work-') }), { message: /no unpacked chart lab-test there \(expected .*Chart\.yaml or .*lab-test-0\.1\.0\.tgz\)/ });
});

test("workload facts keep the pod template's sidecar.istio.io annotations, and only those, only when there are any", (t) => {
  const dep = (annotations?: Record<string, string>) => ({ kind: 'Deployment', metadata: { name: 'd' }, spec: { template: { metadata: { annotations }, spec: { containers: [{ name: 'c', image: 'i:1' }] } } } });
  const [sized] = workloadsOf([dep({ 'sidecar.istio.io/proxyMemory': '40Mi', 'prometheus.io/scrape': 'true' })], 'ns');
  t.deepEqual(sized.sidecarAnnotations, { 'sidecar.istio.io/proxyMemory': '40Mi' });
  const [plain] = workloadsOf([dep({ 'prometheus.io/scrape': 'true' })], 'ns');
  t.false('sidecarAnnotations' in plain, 'no field at all, so the other releases\' facts are unchanged');
  t.false('sidecarAnnotations' in workloadsOf([dep()], 'ns')[0]);
});
