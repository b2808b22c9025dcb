// The Go-built validators other tests rely on: helm template/lint on a chart of ours (with the
// Kubernetes version passed, since a helm built from modules would otherwise assume an old one),
// and the built binaries reporting the versions pinned in lab/versions.ts.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { cpSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { testenvBinDir } from '../../lab/testenv/index.ts';
import { helmLint, helmTemplate } from '../../lab/testenv/validate.ts';
import { TESTENV } from '../../lab/versions.ts';
import { REPO, tempDir } from '../helpers.ts';

const chart = path.join(REPO, 'fixtures', 'charts', 'tiny');

test('helm template renders our chart with values and the cluster version', async (t) => {
  const out = await helmTemplate(chart, ['--kube-version', TESTENV.kubernetes, '--set', 'replicas=3'], { release: 'demo' });
  const [dep] = parseAllDocuments(out).map((d) => d.toJS() as { metadata: { name: string }; spec: { replicas: number; template: { spec: Record<string, any> } } });
  t.is(dep.metadata.name, 'demo');
  t.is(dep.spec.replicas, 3);
  t.deepEqual(dep.spec.template.spec.nodeSelector, { 'node.kubernetes.io/nodegroup': 'app' });
  t.false('unsupported' in dep.spec.template.spec.containers[0], 'KubeVersion was the one passed');
  const old = await helmTemplate(chart, ['--kube-version', 'v1.29.0']);
  t.regex(old, /unsupported: true/, 'and the capability really follows --kube-version');
});

test('helm lint passes our chart and fails a broken copy', async (t) => {
  t.true((await helmLint(chart)).ok);
  const broken = path.join(tempDir('lab-chart-'), 'tiny');
  cpSync(chart, broken, { recursive: true });
  writeFileSync(path.join(broken, 'templates', 'deployment.yaml'), 'kind: Deployment\nmetadata:\n  name: {{ .Release.Name \n');
  const res = await helmLint(broken);
  t.false(res.ok);
  t.regex(res.stdout + res.stderr, /deployment\.yaml/);
});

test('the built control plane reports the pinned versions', (t) => {
  const version = (bin: string, args: string[]) => spawnSync(path.join(testenvBinDir(), bin), args, { encoding: 'utf8' }).stdout;
  t.regex(version('kube-apiserver', ['--version']), new RegExp(`Kubernetes ${TESTENV.kubernetes.replaceAll('.', '\\.')}`));
  t.regex(version('etcd', ['--version']), new RegExp(`etcd Version: ${TESTENV.etcd.slice(1).replaceAll('.', '\\.')}`));
  t.regex(version('istioctl', ['version', '--remote=false']), new RegExp(TESTENV.istioVersion.replaceAll('.', '\\.')));
});
