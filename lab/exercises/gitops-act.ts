// What the gitops exercise does and watches (LAB_GITOPS=argocd): a commit to the lab's repository
// changes front-end's replicas, and Argo CD rolls it out; a hand `kubectl scale` of the same
// Deployment, and Argo CD's self-heal puts it back; a revert commit, and the cluster is back where it
// started. Every wait is timed by the run's clock against its deadline.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { LabError } from '../errors.ts';
import { rolledOut } from '../gitops/app-status.ts';
import { applicationRef } from '../gitops/auto-sync.ts';
import type { Clock } from './clock.ts';
import { pollUntil } from './exercise-helpers.ts';
import type { MeshOps } from './mesh-ops-types.ts';

export const APP = 'sock-shop';
/** The file in the repository (its root is manifests/) that declares the Deployment. */
export const FRONT_END_FILE = 'sock-shop/front-end.yaml';
export const FRONT_END = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'sock-shop', name: 'front-end' } as const;

export interface GitopsTiming {
  /** From a commit to the cluster running it (a refresh is requested, so polling is not waited for). */
  convergeMs: number;
  /** From a hand change to self-heal having put it back. */
  selfHealMs: number;
  pollMs: number;
  clock: Clock;
}

/** What one wait saw last. */
export interface AppView {
  replicas: number | null;
  revision: string | null;
  sync: string | null;
  health: string | null;
  /** Stamped by Argo CD's controller on every reconcile: absent = nothing reconciles the Application. */
  reconciledAt: string | null;
}

export interface Waited {
  ok: boolean;
  ms: number;
  view: AppView;
}

export async function view(ops: MeshOps): Promise<AppView> {
  const dep = (await ops.get(FRONT_END)) as { spec?: { replicas?: number } } | undefined;
  const app = (await ops.get(applicationRef(APP))) as { status?: { sync?: { status?: string; revision?: string }; health?: { status?: string }; reconciledAt?: string } } | undefined;
  return {
    replicas: dep?.spec?.replicas ?? null,
    revision: app?.status?.sync?.revision ?? null,
    sync: app?.status?.sync?.status ?? null,
    health: app?.status?.health?.status ?? null,
    reconciledAt: app?.status?.reconciledAt ?? null,
  };
}

/** Until front-end has `replicas` and (when given) the Application is Synced and Healthy at `revision`. */
export async function waitFor(ops: MeshOps, t: GitopsTiming, replicas: number, revision: string | undefined, deadlineMs: number): Promise<Waited> {
  const r = await pollUntil(() => view(ops), (v) => v.replicas === replicas && (revision === undefined || rolledOut(v.sync, v.revision, v.health, revision)), deadlineMs, t.pollMs, t.clock);
  return { ok: r.ok, ms: r.ms, view: r.value };
}

/** Set spec.replicas of the Deployment `name` in one file of a checkout, keeping its comments. */
export function setReplicasInFile(file: string, name: string, replicas: number): void {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  const doc = docs.find((d) => {
    const o = d.toJS() as KubernetesObject | null;
    return o?.kind === 'Deployment' && o.metadata?.name === name;
  });
  if (!doc) throw new LabError(`${file} declares no Deployment ${name}`);
  doc.setIn(['spec', 'replicas'], replicas);
  writeFileSync(file, docs.map((d) => d.toString()).join(''));
}

export const editReplicas = (replicas: number) => (dir: string) => setReplicasInFile(path.join(dir, FRONT_END_FILE), FRONT_END.name, replicas);

/** `kubectl scale`, as a user would by hand (kubectl's own field manager, not the lab's). */
export async function scaleByHand(ops: MeshOps, replicas: number): Promise<void> {
  const r = await ops.command('kubectl', ['scale', '-n', FRONT_END.namespace, `deployment/${FRONT_END.name}`, `--replicas=${replicas}`]);
  if (r.exitCode !== 0) throw new LabError(`kubectl scale deployment/${FRONT_END.name} --replicas=${replicas} failed (exit ${r.exitCode})`, { detail: `${r.stderr}${r.stdout}`.trim() });
}
