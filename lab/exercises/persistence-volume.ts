// What the persistence exercise reads off the API: eng_app's MySQL pod → the claim its data volume
// names → the PV that claim is bound to → where that PV keeps its files on the nodes (hostPath, or
// the NFS export's path) and so on this machine. The refs come from the lab's manifests
// (manifests/eng-app/mysql.yaml, manifests/storage/hostpath), not from constants of their own.
import type { KubernetesObject, V1Deployment, V1PersistentVolume, V1PersistentVolumeClaim, V1Pod } from '@kubernetes/client-node';
import path from 'node:path';
import { podReady } from '../conditions.ts';
import { LabError } from '../errors.ts';
import { loadManifests } from '../manifests.ts';
import { NFS_MOUNT_PATH } from '../providers/kind-config.ts';
import { labVolumes } from '../steps/storage-objects.ts';
import type { MeshOps } from './mesh-ops-types.ts';

export interface MysqlTarget {
  namespace: string;
  deployment: string;
  container: string;
  /** The Deployment's selector, to find its pods. */
  selector: string;
  /** The pod volume that holds MySQL's data directory, and the claim it names. */
  volume: string;
  claim: string;
  /** The PV the lab pre-binds to that claim, and its directory under /opt/nfs (LAB_DATA_DIR). */
  pv: string;
  dir: string;
  /** Where that directory is on the nodes: /opt/nfs/<dir>. */
  nodePath: string;
}

let target: MysqlTarget | undefined;

/** eng_app's MySQL as manifests/eng-app and manifests/storage declare it. */
export function mysqlTarget(): MysqlTarget {
  if (target) return target;
  const d = loadManifests('eng-app').find((o): o is V1Deployment => o.kind === 'Deployment' && o.metadata?.name === 'eng-app-mysql');
  const pod = d?.spec?.template.spec;
  const c = pod?.containers[0];
  const mount = c?.volumeMounts?.find((m) => m.mountPath === '/var/lib/mysql');
  const claim = pod?.volumes?.find((v) => v.name === mount?.name)?.persistentVolumeClaim?.claimName;
  const vol = labVolumes().find((v) => v.claim.namespace === d?.metadata?.namespace && v.claim.name === claim);
  if (!d || !c || !mount || !claim || !vol) throw new LabError('manifests/eng-app: Deployment eng-app-mysql must mount /var/lib/mysql from a claim one of the lab\'s PVs is pre-bound to');
  const selector = Object.entries(d.spec!.selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
  target = { namespace: d.metadata!.namespace!, deployment: d.metadata!.name!, container: c.name, selector, volume: mount.name, claim, pv: vol.name, dir: vol.dir, nodePath: path.posix.join(NFS_MOUNT_PATH, vol.dir) };
  return target;
}

export interface VolumeView {
  /** The MySQL pod (the newest one not being deleted), if any. */
  pod: { name: string; uid: string; node: string | null; ready: boolean; claim: string | null } | null;
  claim: { uid: string; phase: string; volumeName: string | null } | null;
  /** path: where the files are on the nodes — the hostPath, or for an nfs: PV the NFS server's
   * export (its node's /opt/nfs) + the PV's path. */
  pv: { name: string; uid: string; phase: string; claimUid: string | null; source: 'hostPath' | 'nfs' | 'other'; path: string | null } | null;
}

function nodePathOf(pv: V1PersistentVolume): Pick<NonNullable<VolumeView['pv']>, 'source' | 'path'> {
  if (pv.spec?.hostPath) return { source: 'hostPath', path: pv.spec.hostPath.path };
  if (pv.spec?.nfs) return { source: 'nfs', path: path.posix.join(NFS_MOUNT_PATH, pv.spec.nfs.path) };
  return { source: 'other', path: null };
}

const newestFirst = (a: KubernetesObject, b: KubernetesObject) => String(b.metadata?.creationTimestamp ?? '').localeCompare(String(a.metadata?.creationTimestamp ?? ''));

/** The pod → claim → PV chain as the API has it now. */
export async function observeVolume(ops: MeshOps, t: MysqlTarget = mysqlTarget()): Promise<VolumeView> {
  const pods = (await ops.list('v1', 'Pod', { namespace: t.namespace, labelSelector: t.selector })).filter((p) => !p.metadata?.deletionTimestamp).sort(newestFirst) as V1Pod[];
  const p = pods[0];
  const claimOf = (pod: V1Pod) => pod.spec?.volumes?.find((v) => v.name === t.volume)?.persistentVolumeClaim?.claimName ?? null;
  const pvc = (await ops.get({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: t.namespace, name: t.claim })) as V1PersistentVolumeClaim | undefined;
  const pvName = pvc?.spec?.volumeName || t.pv;
  const pv = (await ops.get({ apiVersion: 'v1', kind: 'PersistentVolume', name: pvName })) as V1PersistentVolume | undefined;
  return {
    pod: p ? { name: p.metadata!.name!, uid: p.metadata!.uid ?? '', node: p.spec?.nodeName ?? null, ready: podReady(p), claim: claimOf(p) } : null,
    claim: pvc ? { uid: pvc.metadata?.uid ?? '', phase: pvc.status?.phase ?? 'Unknown', volumeName: pvc.spec?.volumeName ?? null } : null,
    pv: pv ? { name: pvName, uid: pv.metadata?.uid ?? '', phase: pv.status?.phase ?? 'Unknown', claimUid: pv.spec?.claimRef?.uid ?? null, ...nodePathOf(pv) } : null,
  };
}

/** Why the chain is not "a Ready MySQL pod on the lab's claim, Bound to the lab's PV"; undefined when it is. */
export function chainProblem(v: VolumeView, t: MysqlTarget = mysqlTarget()): string | undefined {
  if (!v.pod) return `no ${t.deployment} pod`;
  if (v.pod.claim !== t.claim) return `pod ${v.pod.name} mounts ${v.pod.claim ? `claim ${v.pod.claim}` : 'no claim'} as ${t.volume}, not ${t.claim}`;
  if (!v.claim) return `claim ${t.namespace}/${t.claim} does not exist`;
  if (v.claim.phase !== 'Bound' || v.claim.volumeName !== t.pv) return `claim ${t.claim} is ${v.claim.phase}${v.claim.volumeName ? ` on PV ${v.claim.volumeName}` : ''}, not Bound to PV ${t.pv}`;
  if (!v.pv) return `PV ${t.pv} does not exist`;
  if (v.pv.phase !== 'Bound' || v.pv.claimUid !== v.claim.uid) return `PV ${t.pv} is ${v.pv.phase}, bound to ${v.pv.claimUid ? `claim uid ${v.pv.claimUid}` : 'no claim'} (the claim's uid is ${v.claim.uid})`;
  if (v.pv.path !== t.nodePath) return `PV ${t.pv} keeps its files at ${v.pv.path ?? '(no hostPath or nfs source)'}, not ${t.nodePath}`;
  return undefined;
}

/** One line for the report: pod → claim → PV → path. */
export function describeChain(v: VolumeView, t: MysqlTarget = mysqlTarget()): string {
  return `pod ${v.pod?.name ?? '(none)'}${v.pod?.node ? ` on ${v.pod.node}` : ''} → claim ${t.claim} (${v.claim?.phase ?? 'absent'}) → PV ${v.claim?.volumeName ?? t.pv} (${v.pv?.phase ?? 'absent'}) at ${v.pv?.path ?? '?'}`;
}
