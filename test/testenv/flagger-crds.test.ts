// The flagger.app CRDs the testenv copies out of Flagger's Go module: only the one file named
// (artifacts/flagger holds Flagger's Deployment and RBAC too), three CRDs in it, read although its
// quoted descriptions continue at the key's indentation (Go's YAML accepts that, `yaml` does not).
import test from 'ava';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { crdsInText, ensureTestenvCrds, testenvCrdDir, testenvCrds } from '../../lab/testenv/crds.ts';
import { tempDir } from '../helpers.ts';

const GROUP = 'flagger.app';
process.env.XDG_CACHE_HOME = tempDir('lab-flagger-crds-cache-'); // testenvRoot() reads it on every call

test.serial('crd.yaml alone is copied; Canary, MetricTemplate and AlertProvider with their schemas', async (t) => {
  const got = await ensureTestenvCrds();
  t.false(got[GROUP].cached);
  t.deepEqual(readdirSync(testenvCrdDir(GROUP)), ['crd.yaml']);
  const crds = testenvCrds(GROUP) as Array<{ metadata: { name: string }; spec: { names: { kind: string }; versions: Array<{ name: string; served: boolean; schema: { openAPIV3Schema: { properties: Record<string, { description?: string }> } } }> } }>;
  t.deepEqual(crds.map((c) => c.spec.names.kind), ['Canary', 'MetricTemplate', 'AlertProvider']);
  t.deepEqual(crds.map((c) => c.metadata.name), ['canaries.flagger.app', 'metrictemplates.flagger.app', 'alertproviders.flagger.app']);
  const canary = crds[0].spec.versions.find((v) => v.name === 'v1beta1');
  t.true(canary?.served);
  // The continued single-quoted scalar is one string, folded with spaces, as Go's YAML reads it.
  t.regex(canary!.schema.openAPIV3Schema.properties.apiVersion.description ?? '', /^APIVersion defines the versioned schema of this representation of an object\. Servers/);
  // Keys as written (the API server refuses the CRD without them): no model renaming x-kubernetes-*.
  const service = (canary!.schema.openAPIV3Schema.properties.spec as unknown as { properties: { service: { properties: Record<string, Record<string, unknown>> } } }).properties.service.properties;
  t.deepEqual(service.targetPort, { description: 'Container target port name', 'x-kubernetes-int-or-string': true });
});

test('text neither YAML reader accepts is refused with the first reader\'s message', (t) => {
  t.throws(() => crdsInText("a: 'open\nb: [1\n", GROUP, 'bad.yaml'), { message: /bad\.yaml: document 1 is not valid YAML: Missing closing 'quote/ });
});

test.serial('a copy that gained another kind is refused, naming the file', (t) => {
  const file = path.join(testenvCrdDir(GROUP), 'crd.yaml');
  writeFileSync(file, 'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: flagger}\n');
  t.throws(() => testenvCrds(GROUP), { message: /crd\.yaml: document 1 is a ServiceAccount of group none, not a CustomResourceDefinition of flagger\.app/ });
});
