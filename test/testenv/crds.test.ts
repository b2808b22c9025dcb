// The monitoring.coreos.com CRDs the testenv copies out of the prometheus-operator Go module (module
// cache → <testenv>/crds/<group>/, in a temp XDG cache here): all ten, once; a folder that holds
// something else, or nothing, is refused with the fix named.
import test from 'ava';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { crdsInText, ensureTestenvCrds, testenvCrdDir, testenvCrds } from '../../lab/testenv/crds.ts';
import { tempDir } from '../helpers.ts';

const GROUP = 'monitoring.coreos.com';
process.env.XDG_CACHE_HOME = tempDir('lab-crds-cache-'); // testenvRoot() reads it on every call

test.serial('copied once out of the module, then cached; parsed, every one a CRD of the group', async (t) => {
  const first = await ensureTestenvCrds();
  t.false(first[GROUP].cached);
  t.true(first[GROUP].dir.startsWith(process.env.XDG_CACHE_HOME!));
  const second = await ensureTestenvCrds();
  t.true(second[GROUP].cached);
  t.deepEqual(second[GROUP].files, first[GROUP].files);

  const crds = testenvCrds(GROUP) as Array<{ metadata: { name: string }; spec: { group: string; names: { kind: string } } }>;
  t.deepEqual(crds.map((c) => c.spec.names.kind).sort(), [
    'Alertmanager', 'AlertmanagerConfig', 'PodMonitor', 'Probe', 'Prometheus', 'PrometheusAgent', 'PrometheusRule', 'ScrapeConfig', 'ServiceMonitor', 'ThanosRuler',
  ]);
  t.true(crds.every((c) => c.spec.group === GROUP && c.metadata.name.endsWith(`.${GROUP}`)));
});

test.serial('a folder with anything but CRDs of the group is refused, naming the file and document', (t) => {
  const dir = testenvCrdDir(GROUP);
  const file = path.join(dir, 'zz-extra.yaml');
  writeFileSync(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n');
  t.throws(() => testenvCrds(GROUP), { message: /zz-extra\.yaml: document 1 is a ConfigMap of group none, not a CustomResourceDefinition of monitoring\.coreos\.com/ });
  writeFileSync(file, 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: a.example.com}\nspec: {group: example.com}\n');
  t.throws(() => testenvCrds(GROUP), { message: /of group example\.com/ });
  rmSync(file);
  t.is(testenvCrds(GROUP).length, 10);
});

test.serial('an empty or missing folder says how to get the CRDs; ensureTestenvCrds copies them again', async (t) => {
  const dir = testenvCrdDir(GROUP);
  for (const f of readdirSync(dir)) rmSync(path.join(dir, f));
  const err = t.throws(() => testenvCrds(GROUP)) as Error & { detail?: string };
  t.regex(err.message, /CRDs are not in the test environment/);
  t.regex(err.detail ?? '', /prometheus-operator@v0\.93\.0.*scripts\/testenv\.ts build/s);
  rmSync(dir, { recursive: true });
  mkdirSync(dir); // present but empty: not mistaken for cached
  const again = await ensureTestenvCrds();
  t.false(again[GROUP].cached);
  t.is(testenvCrds(GROUP).length, 10);
});

test('crdsInText skips empty documents and rejects invalid YAML', (t) => {
  t.is(crdsInText('---\n---\n', GROUP, 'x').length, 0);
  t.throws(() => crdsInText('a: [1\n', GROUP, 'bad.yaml'), { message: /bad\.yaml: document 1 is not valid YAML/ });
});
