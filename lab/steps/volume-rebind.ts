// The lab's PVs keep their data (reclaim policy Retain) when their claim goes — `kubectl delete ns
// eng-app`, as seed 004's delete scripts do, or one deleted claim. The PV controller then leaves
// the PV Released, still naming the old claim by uid, and the new claim of the same name never binds.
// Re-binding clears that stale uid, nothing else: the PV stays pre-bound to the lab's own claim
// (namespace/name), so it can bind to that claim and to no other. The data is not touched.
import type { V1PersistentVolume, V1PersistentVolumeClaim } from '@kubernetes/client-node';
import type { Kube } from '../kube.ts';
import { labVolumes } from './storage-objects.ts';

export interface StaleVolume {
  pv: string;
  claim: string;
  why: string;
}

/** Lab PVs whose claimRef names a claim that is gone or was re-created (another uid). */
export async function staleVolumes(kube: Kube): Promise<StaleVolume[]> {
  const out: StaleVolume[] = [];
  for (const v of labVolumes()) {
    const pv = await kube.get<V1PersistentVolume>({ apiVersion: 'v1', kind: 'PersistentVolume', name: v.name });
    const ref = pv?.spec?.claimRef;
    if (!pv || pv.metadata?.deletionTimestamp || !ref?.uid) continue;
    if (ref.namespace !== v.claim.namespace || ref.name !== v.claim.name) continue; // not the lab's claim: never re-pointed
    const claim = `${v.claim.namespace}/${v.claim.name}`;
    const pvc = await kube.get<V1PersistentVolumeClaim>({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: v.claim.namespace, name: v.claim.name });
    if (!pvc) out.push({ pv: v.name, claim, why: `its claim ${claim} was deleted (PV ${pv.status?.phase ?? '?'})` });
    else if (pvc.metadata?.uid !== ref.uid) out.push({ pv: v.name, claim, why: `its claim ${claim} was re-created (PV ${pv.status?.phase ?? '?'}, still naming the old one)` });
  }
  return out;
}

/** Clear the stale claim uid so the PV binds to the lab's claim of that name again. */
export async function rebindVolumes(kube: Kube, stale: StaleVolume[]): Promise<void> {
  for (const s of stale) {
    const pv = (await kube.get<V1PersistentVolume>({ apiVersion: 'v1', kind: 'PersistentVolume', name: s.pv }))!;
    const { namespace, name, apiVersion, kind } = pv.spec!.claimRef!;
    pv.spec!.claimRef = { apiVersion, kind, namespace, name };
    await kube.replace(pv);
  }
}
