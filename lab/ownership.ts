// Whose cluster is this? The lab deletes, replaces or adopts only a cluster it created itself:
// - in the cluster, ConfigMap kube-system/cloud-native-lab (managed-by the lab) names the spec and
//   the project directory it was created from;
// - on disk, .lab/clusters/<provider>-<name>.json records the creation, for when the cluster
//   exists but its API server does not answer (Docker restarted, a stopped minikube profile);
// - .lab/creating-<provider>-<name> marks a creation that was interrupted before it was recorded.
import type { V1ConfigMap } from '@kubernetes/client-node';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LabConfig } from './config.ts';
import type { LabContext } from './context.ts';
import { FIELD_MANAGER, MANAGED_BY } from './kube-refs.ts';
import type { ClusterSpec } from './providers/types.ts';

export const SPEC_CONFIGMAP = { apiVersion: 'v1', kind: 'ConfigMap', name: 'cloud-native-lab', namespace: 'kube-system' };

export function specConfigMap(spec: ClusterSpec, cfg: LabConfig): V1ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: SPEC_CONFIGMAP.name, namespace: SPEC_CONFIGMAP.namespace, labels: { ...MANAGED_BY } },
    data: { spec: JSON.stringify(spec, null, 2), project: cfg.root },
  };
}

export type Ownership =
  /** Created by this project; `spec` is what it was created with. */
  | { owner: 'lab'; reachable: true; spec: ClusterSpec }
  /** Not answering, but this project recorded creating it. */
  | { owner: 'lab'; reachable: false; why: string; createdAt: string }
  /** This project started creating it and was interrupted before recording it. */
  | { owner: 'half-made' }
  /** Answering, and not created by this project. */
  | { owner: 'foreign'; why: string }
  /** Not answering, and nothing on disk says the lab made it. */
  | { owner: 'unknown'; why: string };

/** Present while the lab is creating a cluster; removed once its spec is recorded. */
export function creatingMarker(cfg: LabConfig): string {
  return path.join(cfg.stateDir, `creating-${cfg.provider}-${cfg.clusterName}`);
}

function recordFile(cfg: LabConfig): string {
  return path.join(cfg.stateDir, 'clusters', `${cfg.provider}-${cfg.clusterName}.json`);
}

export function markCreating(cfg: LabConfig): void {
  mkdirSync(cfg.stateDir, { recursive: true });
  writeFileSync(creatingMarker(cfg), `${new Date().toISOString()}\n`);
}

/** After the spec is in the cluster: the local record replaces the "creating" marker. */
export function recordCreated(cfg: LabConfig): void {
  mkdirSync(path.dirname(recordFile(cfg)), { recursive: true });
  writeFileSync(recordFile(cfg), `${JSON.stringify({ provider: cfg.provider, name: cfg.clusterName, createdAt: new Date().toISOString() })}\n`);
  rmSync(creatingMarker(cfg), { force: true });
}

export function forgetCreated(cfg: LabConfig): void {
  rmSync(recordFile(cfg), { force: true });
  rmSync(creatingMarker(cfg), { force: true });
}

function localRecord(cfg: LabConfig): { createdAt: string } | undefined {
  try {
    const doc = JSON.parse(readFileSync(recordFile(cfg), 'utf8')) as { provider?: string; name?: string; createdAt?: string };
    return doc.provider === cfg.provider && doc.name === cfg.clusterName ? { createdAt: doc.createdAt ?? '?' } : undefined;
  } catch {
    return undefined;
  }
}

/** Call only when the provider says the cluster exists. */
export async function ownership(ctx: LabContext): Promise<Ownership> {
  const { cfg } = ctx;
  let cm: V1ConfigMap | undefined;
  try {
    cm = await ctx.kube().get<V1ConfigMap>(SPEC_CONFIGMAP);
  } catch (err) {
    if (existsSync(creatingMarker(cfg))) return { owner: 'half-made' };
    const why = (err as Error).message;
    const rec = localRecord(cfg);
    return rec ? { owner: 'lab', reachable: false, why, createdAt: rec.createdAt } : { owner: 'unknown', why };
  }
  const spec = cm?.data?.spec ? (JSON.parse(cm.data.spec) as ClusterSpec) : undefined;
  const ours = cm?.metadata?.labels?.['app.kubernetes.io/managed-by'] === FIELD_MANAGER && spec?.name === cfg.clusterName && spec?.provider === cfg.provider;
  if (ours && (cm!.data!.project ?? cfg.root) === cfg.root) return { owner: 'lab', reachable: true, spec: spec! };
  if (existsSync(creatingMarker(cfg))) return { owner: 'half-made' };
  if (ours) return { owner: 'foreign', why: `it was created by the lab in another project directory (${cm!.data!.project})` };
  return { owner: 'foreign', why: `it has no ConfigMap ${SPEC_CONFIGMAP.namespace}/${SPEC_CONFIGMAP.name} recording a lab spec` };
}

/** One line for messages: "kind delete cluster --name lab". */
export function manualDelete(ctx: LabContext): string {
  return ctx.provider.manualDeleteCommand().join(' ');
}
