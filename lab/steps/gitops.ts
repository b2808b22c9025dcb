// The GitOps step (LAB_GITOPS=argocd, seed 002), after Argo CD's release: the lab's git repository
// (LAB_DATA_DIR/gitops/lab.git, first commit = manifests/ as it is), the git server that serves it in
// the cluster, what git must not hold (eng_app's Secret from your eng-app.env, its sentence data),
// and the bootstrap (AppProjects + the root Application). From the root down, Argo CD syncs the tree
// from git (lab/gitops/applications.ts); the samples step then waits for the samples' Applications.
// It also resumes Argo CD's automated sync where an exercise run left it paused (--keep, Ctrl-C).
import type { KubernetesObject } from '@kubernetes/client-node';
import { notReady, waitDeploymentAvailable } from '../conditions.ts';
import type { LabContext } from '../context.ts';
import { argocdAdminFile, readArgocdAdmin, readInitialAdminPassword, saveArgocdAdmin } from '../gitops/argocd-admin.ts';
import { bootstrapObjects, GIT_SERVER, GITOPS_APP_ORDER, GITOPS_FOLDERS, gitopsRepoUrl, gitServerObjects, NODE_REPOS_DIR } from '../gitops/applications.ts';
import { ARGOCD_NAMESPACE, leftPaused, resumeAutoSync } from '../gitops/auto-sync.ts';
import { GitopsGit, gitopsRepo } from '../gitops/repo.ts';
import { MANAGED_BY } from '../kube-refs.ts';
import { loadManifests } from '../manifests.ts';
import { driftOf } from '../objects.ts';
import { ensureCrds, missingCrds } from './fallback-crds.ts';
import { prepareEngAppData, sampleObjects } from './samples.ts';
import type { Step } from './types.ts';
import { staleVolumes } from './volume-rebind.ts';

export const ARGO_GROUP = 'argoproj.io';
/** The CRDs the bootstrap needs (the argo-cd chart installs them; on sim the testenv supplies them). */
export const ARGO_CRDS = [`applications.${ARGO_GROUP}`, `appprojects.${ARGO_GROUP}`];
export const FIRST_COMMIT = 'manifests/ as the lab shipped it (first commit, by lab up)';
const ADMIN_SECRET_WAIT_MS = 120_000;

const namespace = (): KubernetesObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ARGOCD_NAMESPACE, labels: { ...MANAGED_BY } } });

/** eng_app's Namespace and its Secret from eng-app.env: git has neither password nor Secret. */
export const engAppSecretObjects = (ctx: LabContext): KubernetesObject[] => sampleObjects(ctx, 'eng-app').filter((o) => o.kind === 'Namespace' || o.kind === 'Secret');

/** Everything the step applies, in order. */
const applied = (ctx: LabContext): KubernetesObject[] => [namespace(), ...gitServerObjects(), ...engAppSecretObjects(ctx), ...bootstrapObjects()];

const git = (ctx: LabContext) => new GitopsGit(gitopsRepo(ctx.cfg), ctx.run);

/** Argo CD's initial admin password, once argocd-server has written it (real clusters only). */
async function saveAdminPassword(ctx: LabContext): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    const password = await readInitialAdminPassword(ctx.kube());
    if (password) {
      saveArgocdAdmin(ctx.cfg.stateDir, password);
      return;
    }
    if (Date.now() - t0 > ADMIN_SECRET_WAIT_MS) {
      ctx.log.warn(`argocd-server has not written argocd-initial-admin-secret within ${ADMIN_SECRET_WAIT_MS / 1000} s; the next lab up reads it into ${argocdAdminFile(ctx.cfg.stateDir)}`);
      return;
    }
    await new Promise((r) => setTimeout(r, 3_000));
  }
}

async function problems(ctx: LabContext): Promise<string[]> {
  if (!git(ctx).exists()) return [`no GitOps repository at ${gitopsRepo(ctx.cfg).gitDir}`];
  const missing = await missingCrds(ctx, ARGO_CRDS);
  if (missing.length) return missing.map((n) => `CustomResourceDefinition ${n} missing`);
  const kube = ctx.kube();
  const out = await driftOf(kube, applied(ctx));
  const paused = await leftPaused(kube, GITOPS_APP_ORDER);
  if (paused.length) out.push(`Argo CD's automated sync left paused by an exercise run: ${paused.join(', ')}`);
  if ((await staleVolumes(kube)).length) out.push('a retained volume names a deleted claim');
  if (ctx.provider.capabilities.dataPlane) {
    out.push(...(await notReady(kube, gitServerObjects())));
    if (!readArgocdAdmin(ctx.cfg.stateDir)) out.push(`Argo CD's admin password not read yet (${argocdAdminFile(ctx.cfg.stateDir)})`);
  }
  return out;
}

export const gitopsStep: Step = {
  name: 'gitops',
  title: "GitOps: the lab's git repository, its git server, Argo CD's app-of-apps root",
  needs: ['argocd', 'storage', 'istio'],
  enabled: (cfg) => cfg.gitops === 'argocd',
  disabledReason: () => 'LAB_GITOPS=off; set LAB_GITOPS=argocd for the GitOps mode',
  async check(ctx) {
    const p = await problems(ctx);
    return { done: p.length === 0, detail: p.join('\n') };
  },
  async apply(ctx) {
    const repo = git(ctx);
    if ((await repo.ensure(FIRST_COMMIT)) === 'created') ctx.log.info(`created ${repo.repo.gitDir} from manifests/ (${gitopsRepoUrl()} in the cluster)`);
    await ensureCrds(ctx, ARGO_GROUP, ARGO_CRDS, "Argo CD's CRDs", 'They come with the argocd release; run `lab up` again to install it, or check it: helm list -n argocd');
    await prepareEngAppData(ctx);
    const kube = ctx.kube();
    const objs = applied(ctx);
    await kube.apply(objs.filter((o) => o.kind === 'Namespace'));
    await kube.apply(objs.filter((o) => o.kind !== 'Namespace'));
    const paused = await leftPaused(kube, GITOPS_APP_ORDER);
    if (paused.length) {
      await resumeAutoSync(kube, paused);
      ctx.log.info(`resumed Argo CD's automated sync of ${paused.join(', ')} (left paused by an exercise run)`);
    }
    if (!ctx.provider.capabilities.dataPlane) {
      ctx.status.skip(`waiting for the git server, reading Argo CD's admin password: skipped (${ctx.provider.name}): no pod runs here, so no Argo CD syncs the tree`);
      return;
    }
    await waitDeploymentAvailable(kube, GIT_SERVER.namespace, GIT_SERVER.deployment, 300_000, { report: (l) => ctx.log.warn(l) });
    if (!readArgocdAdmin(ctx.cfg.stateDir)) await saveAdminPassword(ctx);
  },
  plan: (ctx) => [
    `git repository ${gitopsRepo(ctx.cfg).gitDir} (work tree manifests/; created with one commit if missing)`,
    `git server: Deployment+Service ${GIT_SERVER.namespace}/${GIT_SERVER.service} (git daemon, ${NODE_REPOS_DIR} read only) at ${gitopsRepoUrl()}`,
    "eng_app's Namespace and Secret from eng-app.env (never in git); its sentence data under LAB_DATA_DIR",
    `apply AppProjects root, app, infra and Application root (→ parents app, infra → sock-shop, eng-app, istio-telemetry); resume any Application an exercise left paused`,
    ...(ctx.provider.capabilities.dataPlane ? [`wait for the git server; save Argo CD's admin password to ${argocdAdminFile(ctx.cfg.stateDir)}`] : []),
  ],
  render: () => ({ 'gitops/git-server': gitServerObjects(), 'gitops/root': bootstrapObjects(), ...treeRender() }),
};

/** What Argo CD syncs from git below the root, for `lab render` (one file per folder). */
function treeRender(): Record<string, KubernetesObject[]> {
  const { parents, app, infra, engAppOverlay } = GITOPS_FOLDERS;
  return Object.fromEntries([parents, app, infra, engAppOverlay].map((f) => [f, loadManifests(f)]));
}
