// The real CLI as a user runs it: exit codes 0/1/2, messages that name the setting and the fix,
// typo suggestions, and that a rejected config creates nothing.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LAB_MJS, LAB_NODE, REPO, tempDir } from '../helpers.ts';

function lab(args: string[], env: Record<string, string> = {}, cwd = tempDir()) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('LAB_')));
  const res = spawnSync(LAB_NODE, [LAB_MJS, ...args], { cwd, env: { ...clean, CI: 'true', ...env }, encoding: 'utf8', timeout: 60_000 });
  return { code: res.status, out: res.stdout, err: res.stderr, cwd };
}

test('plan for kind prints every step and the full kind config, exit 0', (t) => {
  const r = lab(['plan']);
  t.is(r.code, 0, r.err);
  for (const step of ['1. preflight', '2. cluster', '3. node-groups', '4. storage', '5. istio', '6. argocd', '7. gitops', '8. samples']) t.true(r.out.includes(step), step);
  t.regex(r.out, /6\. argocd — .*\[not with LAB_GITOPS=off; installed with LAB_GITOPS=argocd\]/);
  t.regex(r.out, /7\. gitops — .*\[LAB_GITOPS=off; set LAB_GITOPS=argocd for the GitOps mode\]/);
  t.regex(r.out, /kind create cluster --name lab --config/);
  t.regex(r.out, /listenAddress: 127\.0\.0\.1/);
  t.regex(r.out, /node\.kubernetes\.io\/nodegroup: ingress/);
  t.deepEqual(readdirSync(r.cwd), [], 'plan writes nothing');
});

test('plan for minikube shows the start command and node labels', (t) => {
  const r = lab(['plan', '--provider', 'minikube']);
  t.is(r.code, 0, r.err);
  t.regex(r.out, /minikube start -p lab --nodes 5 --driver=docker --container-runtime=containerd/);
  t.regex(r.out, /lab-m02=app, lab-m03=deploy, lab-m04=ingress, lab-m05=system/);
});

test('bad settings: exit 2, every problem named with its fix, nothing created', (t) => {
  const cwd = tempDir();
  writeFileSync(path.join(cwd, '.env'), 'LAB_WORKERS=2\nLAB_PROVIDR=kind\n');
  const r = lab(['up', '--http-port', 'eighty'], { LAB_STORAGE: 'ceph' }, cwd);
  t.is(r.code, 2);
  t.regex(r.err, /^ERROR: 4 problems:/);
  t.regex(r.err, /LAB_WORKERS="2" \(from \.env\)/);
  t.regex(r.err, /LAB_PROVIDR .*did you mean LAB_PROVIDER\?/);
  t.regex(r.err, /LAB_HTTP_PORT="eighty" \(from flag\)/);
  t.regex(r.err, /LAB_STORAGE="ceph" \(from environment\) is not valid; use one of: hostpath, nfs/);
  t.false(existsSync(path.join(cwd, '.lab')), 'nothing half-made');
});

test('unknown command: exit 2 with a suggestion', (t) => {
  const r = lab(['stauts']);
  t.is(r.code, 2);
  t.regex(r.err, /Did you mean status\?/);
});

test('up on a host without a container engine: exit 1 naming what is missing, nothing created', (t) => {
  const r = lab(['up'], { PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin` });
  t.is(r.code, 1, r.err);
  t.regex(r.err, /ERROR: step preflight: the host is not ready for LAB_PROVIDER=kind/);
  t.regex(r.err, /container engine: .*\n\s+fix: install and start Docker/);
  t.regex(r.err, /kind: kind is not installed/);
  t.false(existsSync(path.join(r.cwd, '.lab', 'kubeconfig')));
});

test('--help lists commands and examples; completion script prints', (t) => {
  const r = lab(['--help']);
  t.is(r.code, 0);
  for (const c of ['up', 'plan', 'down', 'status', 'doctor', 'render', 'seed', 'logs', 'shell', 'check']) t.regex(r.out, new RegExp(`lab ${c}`));
  t.regex(r.out, /Examples:/);
  const c = lab(['completion']);
  t.regex(c.out, /_lab_yargs_completions|complete -o/);
});

test('render without --out is a usage error naming the flag', (t) => {
  const missing = lab(['render']);
  t.is(missing.code, 2);
  t.regex(missing.err, /--out DIR/);
});
