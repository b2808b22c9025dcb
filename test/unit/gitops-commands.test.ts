// `lab gitops status|commit|log` with the real git on a temp repository and an in-memory Argo CD API:
// status names the uncommitted edit and each Application's sync at which commit (HEAD or not), its
// health and whether automated sync is on or paused by whom; commit records the edit and asks only the
// Applications that exist to refresh; nothing to commit says so; without the GitOps mode it refuses
// (a UsageError: exit 2). Argo CD's admin login: saved 0600, read back, read from its initial Secret.
import test from 'ava';
import { mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { LabContext } from '../../lab/context.ts';
import { UsageError } from '../../lab/errors.ts';
import { REFRESH_ANNOTATION } from '../../lab/gitops/app-status.ts';
import { ARGOCD_ADMIN_USER, argocdAdminFile, INITIAL_ADMIN_SECRET, readArgocdAdmin, readInitialAdminPassword, saveArgocdAdmin } from '../../lab/gitops/argocd-admin.ts';
import { PAUSED_BY, type ApplicationClient } from '../../lab/gitops/auto-sync.ts';
import { applicationLine, gitopsCommit, gitopsLog, gitopsStatus } from '../../lab/gitops/commands.ts';
import { GitopsGit, gitopsRepo } from '../../lab/gitops/repo.ts';
import type { ObjRef } from '../../lab/kube-refs.ts';
import { ZxRunner } from '../../lab/run.ts';

function setup(gitops: 'argocd' | 'off' = 'argocd') {
  const root = mkdtempSync(path.join(tmpdir(), 'lab-gitops-cmd-'));
  const workTree = path.join(root, 'manifests');
  mkdirSync(path.join(workTree, 'sock-shop'), { recursive: true });
  writeFileSync(path.join(workTree, 'sock-shop', 'front-end.yaml'), 'replicas: 1\n');
  const run = new ZxRunner();
  const repo = new GitopsGit(gitopsRepo({ dataDir: path.join(root, 'data') }, workTree), run);
  const ctx = { cfg: { gitops, dataDir: path.join(root, 'data'), stateDir: root }, run, kube: () => { throw new Error('no cluster in this test'); } } as unknown as LabContext;
  return { root, workTree, repo, ctx };
}

/** Applications by name; `patched` records every merge patch. */
function apps(objs: Record<string, KubernetesObject>) {
  const patched: string[] = [];
  const c: ApplicationClient = {
    get: async (ref: ObjRef) => objs[ref.name],
    mergePatch: async (ref: ObjRef, p: Record<string, unknown>) => {
      patched.push(`${ref.name} ${JSON.stringify(p)}`);
      return objs[ref.name];
    },
  };
  return { c, patched };
}

const app = (name: string, extra: Record<string, unknown> = {}): KubernetesObject => ({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name }, spec: { syncPolicy: { automated: {} } }, ...extra }) as KubernetesObject;

test('status: the uncommitted edit, then each Application — synced at HEAD or not, health, automated or paused', async (t) => {
  const { workTree, repo, ctx } = setup();
  await repo.ensure('first');
  const head = await repo.head();
  writeFileSync(path.join(workTree, 'sock-shop', 'front-end.yaml'), 'replicas: 2\n');
  const { c } = apps({
    root: app('root', { status: { sync: { status: 'Synced', revision: head }, health: { status: 'Healthy' } } }),
    'sock-shop': { ...app('sock-shop', { status: { sync: { status: 'OutOfSync', revision: 'f'.repeat(40) }, health: { status: 'Progressing' } } }), metadata: { name: 'sock-shop', annotations: { [PAUSED_BY]: 'exercise canary' } }, spec: { syncPolicy: { automated: { enabled: false } } } } as KubernetesObject,
  });
  const out = (await gitopsStatus(ctx, { apps: c, repo })).join('\n');
  t.regex(out, new RegExp(`HEAD ${head.slice(0, 8)}`));
  t.regex(out, /not committed \(manifests\/\):\n\s+M sock-shop\/front-end\.yaml/);
  t.regex(out, new RegExp(`root\\s+Synced at ${head.slice(0, 8)} \\(HEAD\\), Healthy; automated`));
  t.regex(out, /sock-shop\s+OutOfSync at ffffffff \(HEAD is [0-9a-f]{8}\), Progressing; paused by exercise canary/);
  t.regex(out, /eng-app\s+not created yet/);
});

test("status when Argo CD's API cannot be read: the repository part is still shown, and the Applications part says why instead of claiming a state", async (t) => {
  const { repo, ctx } = setup();
  await repo.ensure('first');
  const broken: ApplicationClient = { get: async () => { throw new Error('connection refused'); }, mergePatch: async () => undefined };
  const out = (await gitopsStatus(ctx, { apps: broken, repo })).join('\n');
  t.regex(out, /manifests\/ is as committed/);
  t.regex(out, /Argo CD's Applications:\n {2}cannot read them: connection refused$/);
  t.notRegex(out, /not created yet|automated/, 'no Application state is made up');
});

test('commit: records the edit, asks the Applications that exist to refresh; nothing left to commit says so', async (t) => {
  const { workTree, repo, ctx } = setup();
  await repo.ensure('first');
  writeFileSync(path.join(workTree, 'sock-shop', 'front-end.yaml'), 'replicas: 3\n');
  const { c, patched } = apps({ root: app('root'), app: app('app'), 'sock-shop': app('sock-shop') });
  const out = await gitopsCommit(ctx, 'front-end: 3 replicas', { apps: c, repo });
  t.regex(out[0], /^committed [0-9a-f]{8} "front-end: 3 replicas"$/);
  t.is(out[1], 'asked Argo CD to refresh root, app, sock-shop now');
  t.deepEqual(patched.map((p) => p.split(' ')[0]), ['root', 'app', 'sock-shop']);
  t.true(patched.every((p) => p.includes(REFRESH_ANNOTATION)));
  t.deepEqual((await gitopsLog(ctx, 5, { repo })).map((l) => l.split('  ').at(-1)), ['front-end: 3 replicas', 'first']);
  t.deepEqual(await gitopsCommit(ctx, 'again', { apps: c, repo }), ['nothing to commit: manifests/ is as committed']);
  t.is(patched.length, 3, 'no refresh for nothing');
});

test('without the GitOps mode every gitops command is a usage error naming LAB_GITOPS', async (t) => {
  const { repo, ctx } = setup('off');
  for (const run of [() => gitopsStatus(ctx, { repo }), () => gitopsCommit(ctx, 'x', { repo }), () => gitopsLog(ctx, 1, { repo })]) {
    const err = await t.throwsAsync(run, { instanceOf: UsageError });
    t.regex(err!.message, /need the GitOps mode, and LAB_GITOPS is off/);
  }
});

test('applicationLine: a manual Application (no automated sync, not paused by the lab) says manual', (t) => {
  const manual = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'x' }, spec: {} };
  t.regex(applicationLine('x', manual, 'a'.repeat(40)), /no sync status, no health; manual$/);
});

test("Argo CD's admin login: saved 0600 and read back; read from argocd-initial-admin-secret, absent until argocd-server writes it", async (t) => {
  const { root } = setup();
  t.is(readArgocdAdmin(root), undefined);
  const file = saveArgocdAdmin(root, 's3cret-from-argo');
  t.is(file, argocdAdminFile(root));
  t.is(statSync(file).mode & 0o777, 0o600);
  t.deepEqual(readArgocdAdmin(root), { user: ARGOCD_ADMIN_USER, password: 's3cret-from-argo', file });
  const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: INITIAL_ADMIN_SECRET.name }, data: { password: Buffer.from('pw-123').toString('base64') } };
  t.is(await readInitialAdminPassword({ get: async (r) => (r.name === INITIAL_ADMIN_SECRET.name && r.namespace === 'argocd' ? secret : undefined) }), 'pw-123');
  t.is(await readInitialAdminPassword({ get: async () => undefined }), undefined);
  t.is(await readInitialAdminPassword({ get: async () => ({ ...secret, data: {} }) }), undefined, 'a Secret without the key is not a password');
});
