// The NFS-style storage of seed 004 is manifests/storage/{hostpath,nfs} (its fixes are written
// there). The lab needs to know its volumes — which directory under LAB_DATA_DIR, which claim each
// is pre-bound to — and reads that from the hostpath PVs, so the YAML stays the one source.
import type { KubernetesObject, V1PersistentVolume } from '@kubernetes/client-node';
import { LabError } from '../errors.ts';
import { loadManifests } from '../manifests.ts';
import { NFS_MOUNT_PATH } from '../providers/kind-config.ts';

export const STORAGE_CLASS = 'lab-nfs';
export const NFS_NAMESPACE = 'lab-storage';

export interface VolumeSpec {
  name: string;
  /** Directory under LAB_DATA_DIR (and /opt/nfs on the nodes). */
  dir: string;
  size: string;
  mode: 'ReadWriteOnce' | 'ReadOnlyMany';
  claim: { namespace: string; name: string };
}

let volumes: VolumeSpec[] | undefined;

/** The lab's PVs, as manifests/storage/hostpath declares them (MySQL's data, the app's sentences). */
export function labVolumes(): VolumeSpec[] {
  volumes ??= loadManifests('storage/hostpath')
    .filter((o): o is V1PersistentVolume => o.kind === 'PersistentVolume')
    .map((pv) => {
      const s = pv.spec!;
      const p = s.hostPath?.path ?? '';
      if (!p.startsWith(`${NFS_MOUNT_PATH}/`) || !s.claimRef?.namespace || !s.claimRef.name) {
        throw new LabError(`manifests/storage/hostpath: PV ${pv.metadata?.name} must be a hostPath under ${NFS_MOUNT_PATH}/ with a claimRef`);
      }
      return { name: pv.metadata!.name!, dir: p.slice(NFS_MOUNT_PATH.length + 1), size: String(s.capacity!.storage), mode: s.accessModes![0] as VolumeSpec['mode'], claim: { namespace: s.claimRef.namespace, name: s.claimRef.name } };
    });
  return volumes;
}

/** manifests/storage/<storage>; with nfs, the PVs name the server by `nfsIp` when it is known. */
export function renderStorage(storage: 'hostpath' | 'nfs', nfsIp?: string): KubernetesObject[] {
  const objs = loadManifests(`storage/${storage}`);
  if (storage === 'nfs' && nfsIp) {
    for (const pv of objs.filter((o): o is V1PersistentVolume => o.kind === 'PersistentVolume')) pv.spec!.nfs!.server = nfsIp;
  }
  return objs;
}
