// Storage step: host directories under LAB_DATA_DIR, the lab-nfs StorageClass and the static PVs
// (plus the NFS server when LAB_STORAGE=nfs). Kubelets mount NFS from the node's network, which
// cannot resolve cluster DNS, so the PVs name the NFS Service by its ClusterIP.
import { existsSync } from 'node:fs';
import type { KubernetesObject, V1Service } from '@kubernetes/client-node';
import { ensureDataDirs, volumeDirs } from '../data-dir.ts';
import { LabError } from '../errors.ts';
import { driftOf } from '../objects.ts';
import type { LabContext } from '../context.ts';
import { NFS_NAMESPACE, renderStorage } from './storage-objects.ts';
import type { Step } from './types.ts';
import { rebindVolumes, staleVolumes } from './volume-rebind.ts';

async function nfsServerIp(ctx: LabContext): Promise<string | undefined> {
  const svc = await ctx.kube().get<V1Service>({ apiVersion: 'v1', kind: 'Service', namespace: NFS_NAMESPACE, name: 'nfs-server' });
  return svc?.spec?.clusterIP;
}

/** Desired objects; with nfs and no Service yet, PVs are left for after the server exists. */
async function desired(ctx: LabContext, nfsIp?: string): Promise<KubernetesObject[]> {
  if (ctx.cfg.storage === 'hostpath') return renderStorage('hostpath');
  const ip = nfsIp ?? (await nfsServerIp(ctx));
  return renderStorage('nfs', ip).filter((o) => ip || o.kind !== 'PersistentVolume');
}

/** The NFS server's own objects (applied first: the PVs need its ClusterIP). */
const nfsServerObjects = () => renderStorage('nfs').filter((o) => o.kind !== 'PersistentVolume' && o.kind !== 'StorageClass');

export const storageStep: Step = {
  name: 'storage',
  title: 'NFS-style storage (StorageClass lab-nfs, PVs eng-app, eng-app-data)',
  needs: ['cluster'],
  enabled: () => true,
  async check(ctx) {
    const missingDirs = volumeDirs(ctx.cfg.dataDir).filter((d) => !existsSync(d));
    const objs = await desired(ctx);
    const drift = await driftOf(ctx.kube(), objs);
    drift.push(...(await staleVolumes(ctx.kube())).map((s) => `PV ${s.pv}: ${s.why}; re-bind it to ${s.claim} (data kept)`));
    if (ctx.cfg.storage === 'nfs' && !objs.some((o) => o.kind === 'PersistentVolume')) drift.push('PVs wait for the NFS server Service');
    const detail = [...missingDirs.map((d) => `directory ${d} missing`), ...drift].join('\n');
    return { done: missingDirs.length === 0 && drift.length === 0, detail };
  },
  async apply(ctx) {
    ensureDataDirs(ctx.cfg);
    const kube = ctx.kube();
    if (ctx.cfg.storage === 'nfs') {
      await kube.apply(nfsServerObjects());
      const ip = await nfsServerIp(ctx);
      if (!ip) throw new LabError(`the NFS server Service in ${NFS_NAMESPACE} has no ClusterIP`);
      await kube.apply(await desired(ctx, ip));
    } else {
      await kube.apply(await desired(ctx));
    }
    await rebindVolumes(kube, await staleVolumes(kube));
  },
  plan: (ctx) => [
    `mkdir ${volumeDirs(ctx.cfg.dataDir).join(' ')}`,
    ...renderStorage(ctx.cfg.storage).map((o) => `apply ${o.kind}/${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name}`),
  ],
  render: (ctx) => ({ [`storage/${ctx.cfg.storage}`]: renderStorage(ctx.cfg.storage) }),
};
