// The sample apps (seeds 001/003/004): sock-shop and eng_app, mesh-ready, applied with server-side
// apply and awaited until every Deployment is Available and eng_app's db-init Job has completed.
// eng_app's Secret comes from eng-app.env; on first use it is created from eng-app.env.example
// with generated passwords (the file is gitignored; edit it to choose your own).
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { LabConfig } from '../config.ts';
import { notReady, waitDeploymentAvailable, waitJobComplete } from '../conditions.ts';
import type { LabContext } from '../context.ts';
import { applicationsNotDone, waitApplications } from '../gitops/app-status.ts';
import { SAMPLE_APPS } from '../gitops/applications.ts';
import { GitopsGit, gitopsRepo } from '../gitops/repo.ts';
import { driftOf } from '../objects.ts';
import { PROJECT_ROOT } from '../project-root.ts';
import { emptyFromInside } from '../purge.ts';
import { ENG_APP_NAMESPACE, ENV_EXAMPLE, engAppSecretValues, readEngAppEnv } from '../samples/eng-app-secret.ts';
import { renderEngApp } from '../samples/eng-app.ts';
import { writeSampleData } from '../samples/sentence-data.ts';
import { renderSockShop } from '../samples/sock-shop.ts';
import { labVolumes } from './storage-objects.ts';
import type { Step } from './types.ts';
import { rebindVolumes, staleVolumes } from './volume-rebind.ts';

import { SAMPLES, type SampleName } from '../samples/names.ts';

export { SAMPLES, type SampleName } from '../samples/names.ts';

export const engAppEnvFile = (cfg: LabConfig) => path.join(cfg.root, 'eng-app.env');
/** The committed example ships with the lab, wherever the command is run from. */
export const engAppEnvExample = path.join(PROJECT_ROOT, ENV_EXAMPLE);

/** First run: copy the example with every change-me password replaced by a random one. */
export function ensureEngAppEnv(cfg: LabConfig, log: (m: string) => void): string {
  const file = engAppEnvFile(cfg);
  if (existsSync(file)) return file;
  const root = randomBytes(12).toString('base64url');
  const text = readFileSync(engAppEnvExample, 'utf8')
    .replaceAll('change-me-root', root)
    .replace('change-me-learner', randomBytes(9).toString('base64url'));
  writeFileSync(file, text, { mode: 0o600 });
  log(`created ${file} with generated passwords (from ${ENV_EXAMPLE}; edit it to choose your own)`);
  return file;
}

/** Objects of one sample (manifests/<sample> with the settings applied). `secrets`: 'user' reads
 * eng-app.env (created on first use); 'example' uses the committed example, so `lab render` never
 * writes your real passwords into a directory you might commit. */
export function sampleObjects(ctx: LabContext, name: SampleName, secrets: 'user' | 'example' = 'user'): KubernetesObject[] {
  if (name === 'sock-shop') return renderSockShop({ frontEndV2Image: ctx.cfg.frontEndV2Image });
  const envFile = secrets === 'user' ? ensureEngAppEnv(ctx.cfg, (m) => ctx.log.info(m)) : engAppEnvExample;
  return renderEngApp({ appImage: ctx.cfg.engAppImage, secretValues: engAppSecretValues(readEngAppEnv(envFile), path.basename(envFile)) });
}

/** Every Deployment rolled out and Available, every Job complete; problems on the way are reported as they appear. */
async function waitReady(ctx: LabContext, objs: KubernetesObject[]): Promise<void> {
  const opts = { report: (line: string) => ctx.log.warn(line) };
  for (const o of objs) {
    if (o.kind === 'Deployment') await waitDeploymentAvailable(ctx.kube(), o.metadata!.namespace!, o.metadata!.name!, 600_000, opts);
    else if (o.kind === 'Job') await waitJobComplete(ctx.kube(), o.metadata!.namespace!, o.metadata!.name!, 600_000, opts);
  }
}

/** What eng_app needs before its pods start, whoever applies them (the lab, or Argo CD in GitOps
 * mode): its starter sentence data, and its retained PVs free for its claims again — a claim deleted
 * by hand (or with its namespace) leaves its retained PV naming the old claim. */
export async function prepareEngAppData(ctx: LabContext): Promise<void> {
  writeSampleData(ctx.cfg.dataDir);
  await rebindVolumes(ctx.kube(), await staleVolumes(ctx.kube()));
}

/** Apply one sample and wait for it (also `lab seed`). */
export async function seedSample(ctx: LabContext, name: SampleName): Promise<void> {
  const objs = sampleObjects(ctx, name);
  const kube = ctx.kube();
  if (name === 'eng-app') await prepareEngAppData(ctx);
  // Namespaces first, so everything else has somewhere to go. A Job whose pod template changed
  // (a new image, or a changed Secret's checksum) cannot be updated in place: it is replaced.
  await kube.apply(objs.filter((o) => o.kind === 'Namespace'));
  await kube.apply(objs.filter((o) => o.kind !== 'Namespace'), { replaceImmutable: true });
  await waitReady(ctx, objs);
}

/**
 * `lab seed eng-app --reset-data`. MySQL takes MYSQL_ROOT_PASSWORD only when it initialises an empty
 * data directory; after that a changed eng-app.env no longer matches. Start over: stop eng_app
 * (its namespace goes), empty LAB_DATA_DIR/eng_app as root from inside the cluster (MySQL's files
 * are uid 999's), seed again — MySQL initialises with eng-app.env, db-init runs, the PVs re-bind.
 * The sentence data (eng_app_data) is kept.
 */
export async function resetEngAppData(ctx: LabContext): Promise<void> {
  const mysqlDir = labVolumes().find((v) => v.name === 'eng-app')!.dir;
  if (ctx.provider.capabilities.dataPlane) {
    await emptyFromInside(ctx, { subdir: mysqlDir, namespaces: [ENG_APP_NAMESPACE] });
  } else {
    await ctx.kube().deleteAndWait({ apiVersion: 'v1', kind: 'Namespace', name: ENG_APP_NAMESPACE }, 180_000);
    ctx.status.skip(`empty ${mysqlDir}/ from inside the cluster: skipped (${ctx.provider.name}): needs a data plane (no pod wrote there)`);
  }
  await seedSample(ctx, 'eng-app');
}

/** What `up` would change, and what it installed that is not ready (a failed wait is not "done"). */
export async function sampleDrift(ctx: LabContext, name: SampleName): Promise<string[]> {
  const objs = sampleObjects(ctx, name);
  const drift = await driftOf(ctx.kube(), objs);
  return [...drift, ...(await notReady(ctx.kube(), objs))];
}

/** In GitOps mode Argo CD applies the samples from git; `up` waits for it (≤ 15 min: a first sync
 * pulls every sample image). On a provider where no pod runs (sim) no Argo CD syncs, so the lab
 * applies them itself, and says so. */
export const APPS_TIMEOUT_MS = 900_000;
const byArgo = (ctx: LabContext) => ctx.cfg.gitops === 'argocd' && ctx.provider.capabilities.dataPlane;
const sampleApps = () => SAMPLES.map((s) => SAMPLE_APPS[s]);
const gitopsHead = (ctx: LabContext) => new GitopsGit(gitopsRepo(ctx.cfg), ctx.run).head();

export const samplesStep: Step = {
  name: 'samples',
  title: 'Sample apps: sock-shop and eng_app',
  needs: ['storage', 'istio'],
  enabled: () => true,
  async check(ctx) {
    if (!existsSync(engAppEnvFile(ctx.cfg))) return { done: false, detail: 'eng-app.env not created yet' };
    if (byArgo(ctx)) {
      const left = await applicationsNotDone(ctx.kube(), sampleApps(), await gitopsHead(ctx));
      return { done: left.length === 0, detail: left.join('\n') };
    }
    const drift = [...(await sampleDrift(ctx, 'sock-shop')), ...(await sampleDrift(ctx, 'eng-app'))];
    return { done: drift.length === 0, detail: drift.join('\n') };
  },
  async apply(ctx) {
    if (byArgo(ctx)) {
      ctx.log.info(`waiting for Argo CD to roll out ${sampleApps().join(', ')} from git (≤ ${APPS_TIMEOUT_MS / 60_000} min)`);
      await waitApplications(ctx.kube(), sampleApps(), await gitopsHead(ctx), { timeoutMs: APPS_TIMEOUT_MS, pollMs: 3_000 });
      return;
    }
    if (ctx.cfg.gitops === 'argocd') ctx.log.info(`no Argo CD controller runs on ${ctx.provider.name}, so the lab applies the samples itself`);
    for (const name of SAMPLES) await seedSample(ctx, name);
  },
  plan: (ctx) =>
    byArgo(ctx)
      ? [`Argo CD applies the samples from git (Applications ${sampleApps().join(', ')}); wait ≤ ${APPS_TIMEOUT_MS / 60_000} min until each is Synced at the repository's HEAD and Healthy, naming any that is not`]
      : [
          ...(ctx.cfg.gitops === 'argocd' ? [`no Argo CD controller runs on ${ctx.provider.name}: the lab applies the samples itself`] : []),
          'apply sock-shop (namespace sock-shop, 15 Deployments incl. front-end v2, Gateway/VirtualService/DestinationRule)',
          'apply eng_app (namespace eng-app, Secret from eng-app.env, MySQL 5.7.29 on eng-app-pvc, app on eng-app-data-pvc, db-init Job)',
          'wait until every Deployment is Available and the db-init Job has completed',
        ],
  render: (ctx) => ({ 'sock-shop': sampleObjects(ctx, 'sock-shop', 'example'), 'eng-app': sampleObjects(ctx, 'eng-app', 'example') }),
};
