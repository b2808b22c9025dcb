// Where the lab's pods run: each pod of the lab's namespaces, the workload that owns it (a
// Deployment through its ReplicaSet, a StatefulSet, DaemonSet or Job directly), that workload's
// intended node group (scheduling-groups.ts), the node it is on and that node's group label.
import type { KubernetesObject, V1Node, V1Pod } from '@kubernetes/client-node';
import { NODEGROUP_LABEL } from '../config-keys.ts';
import type { MeshOps } from './mesh-ops-types.ts';
import { workloadKey, type IntendedGroup, type IntendedWorkload } from './scheduling-groups.ts';

export interface Placement {
  pod: string;
  namespace: string;
  /** Kind/namespace/name of the owning workload ("" when it has no owner). */
  workload: string;
  /** The lab's intent for it; undefined when the workload is not one the lab installs. */
  intended: IntendedGroup | undefined;
  /** spec.nodeName; null while Pending. */
  node: string | null;
  /** The node's node.kubernetes.io/nodegroup; null when the node has none or is not found. */
  nodeGroup: string | null;
  phase: string;
}

type Owned = KubernetesObject & { metadata: { ownerReferences?: Array<{ kind: string; name: string; controller?: boolean }> } };

const controllerOf = (o: KubernetesObject) => (o as Owned).metadata?.ownerReferences?.find((r) => r.controller !== false);

/** The workload key of a pod: its ReplicaSet's Deployment, or its own controller. */
function ownerKey(pod: KubernetesObject, replicaSets: Map<string, KubernetesObject>): string {
  const ns = pod.metadata?.namespace ?? '';
  const owner = controllerOf(pod);
  if (!owner) return '';
  if (owner.kind !== 'ReplicaSet') return workloadKey(owner.kind, ns, owner.name);
  const rs = replicaSets.get(owner.name);
  const dep = rs && controllerOf(rs);
  return dep ? workloadKey(dep.kind, ns, dep.name) : workloadKey('ReplicaSet', ns, owner.name);
}

/** Every pod (not being deleted) in `namespaces`, placed. */
export async function observePlacements(ops: MeshOps, namespaces: string[], intended: Map<string, IntendedWorkload>): Promise<Placement[]> {
  const nodes = new Map((await ops.list('v1', 'Node')).map((n) => [n.metadata!.name!, n as V1Node]));
  const out: Placement[] = [];
  for (const ns of namespaces) {
    const pods = (await ops.list('v1', 'Pod', { namespace: ns })).filter((p) => !p.metadata?.deletionTimestamp) as V1Pod[];
    if (pods.length === 0) continue;
    const replicaSets = new Map((await ops.list('apps/v1', 'ReplicaSet', { namespace: ns })).map((r) => [r.metadata!.name!, r]));
    for (const p of pods) {
      const workload = ownerKey(p, replicaSets);
      const node = p.spec?.nodeName ?? null;
      out.push({
        pod: p.metadata!.name!,
        namespace: ns,
        workload,
        intended: intended.get(workload)?.group,
        node,
        nodeGroup: node ? nodes.get(node)?.metadata?.labels?.[NODEGROUP_LABEL] ?? null : null,
        phase: p.status?.phase ?? 'Unknown',
      });
    }
  }
  return out.sort((a, b) => `${a.namespace}/${a.pod}`.localeCompare(`${b.namespace}/${b.pod}`));
}
