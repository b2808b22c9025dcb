// The lab's rules for every workload a chart release creates (contract `workloads`): CPU and memory
// requests and a memory limit on every container, init containers and sidecars included, and its
// release's node group (`system`; `deploy` for the delivery tooling) — except the DaemonSets that
// must run on every node. Pure.
import { NODEGROUP_LABEL, type NodeGroup } from '../config-keys.ts';
import { RELEASES } from '../observability/endpoints.ts';
import type { WorkloadFact } from './contract-types.ts';

/** Releases off the `system` group: Flagger, its loadtester and Argo CD run on `deploy`, the group
 * seed 002 sets aside for delivery tooling, so a canary's load and Flagger's work stay off the nodes that
 * carry the observability stack and the apps. */
export const RELEASE_NODE_GROUPS: Record<string, NodeGroup> = {
  [RELEASES.flagger.release]: 'deploy',
  [RELEASES.flaggerLoadtester.release]: 'deploy',
  [RELEASES.argocd.release]: 'deploy',
};

export const nodeGroupOf = (release: string): NodeGroup => RELEASE_NODE_GROUPS[release] ?? 'system';

/** DaemonSets that run on every node on purpose, so they carry no system nodeSelector. */
export const PER_NODE_DAEMONSETS: Record<string, string> = {
  'monitoring/kube-prometheus-stack-prometheus-node-exporter': "node-exporter reports its own node's CPU, memory and disks",
  'monitoring/alloy': "each Alloy pod tails the logs of its own node's pods",
};

export const SYSTEM_NODE_SELECTOR = { [NODEGROUP_LABEL]: 'system' } as const;

/** What is wrong with one workload under the rules above ([] when nothing); `group`: its release's. */
export function workloadProblems(w: WorkloadFact, group: NodeGroup = 'system'): string[] {
  const id = `${w.kind} ${w.namespace}/${w.name}`;
  const out: string[] = [];
  const perNode = w.kind === 'DaemonSet' && PER_NODE_DAEMONSETS[`${w.namespace}/${w.name}`];
  if (!perNode && w.nodeSelector[NODEGROUP_LABEL] !== group) {
    out.push(`${id}: nodeSelector ${JSON.stringify(w.nodeSelector)} does not put it on the ${group} node group (${NODEGROUP_LABEL}: ${group})`);
  }
  if (!w.containers.length) out.push(`${id}: no containers`);
  for (const c of w.containers) {
    const what = `${id} ${c.init ? 'init container' : 'container'} ${c.name}`;
    for (const r of ['cpu', 'memory']) if (!c.requests[r]) out.push(`${what}: no ${r} request`);
    if (!c.limits.memory) out.push(`${what}: no memory limit`);
  }
  return out;
}

/** Kubernetes quantities as numbers: CPU in millicores, memory in bytes. */
export function parseQuantity(q: string, kind: 'cpu' | 'memory'): number {
  const m = /^([0-9.]+)([a-zA-Z]*)$/.exec(q.trim());
  if (!m) throw new Error(`not a quantity: ${q}`);
  const n = Number(m[1]);
  const unit = m[2];
  if (kind === 'cpu') {
    if (unit === 'm') return n;
    if (unit === '') return n * 1000;
    throw new Error(`not a CPU quantity: ${q}`);
  }
  const bin: Record<string, number> = { '': 1, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };
  if (!(unit in bin)) throw new Error(`not a memory quantity: ${q}`);
  return n * bin[unit];
}

/** A pod's effective requests: the larger of its running containers' sum and any one init container. */
export function podRequests(w: WorkloadFact): { cpuMilli: number; memoryBytes: number } {
  const sum = (init: boolean, r: 'cpu' | 'memory') =>
    w.containers.filter((c) => c.init === init).map((c) => (c.requests[r] ? parseQuantity(c.requests[r], r) : 0));
  const eff = (r: 'cpu' | 'memory') => Math.max(sum(false, r).reduce((a, b) => a + b, 0), ...sum(true, r), 0);
  return { cpuMilli: eff('cpu'), memoryBytes: eff('memory') };
}

/** A workload's total requests with `nodes` nodes for its DaemonSets. */
export function workloadRequests(w: WorkloadFact, nodes: number): { cpuMilli: number; memoryBytes: number } {
  const pods = w.replicas ?? nodes;
  const p = podRequests(w);
  return { cpuMilli: p.cpuMilli * pods, memoryBytes: p.memoryBytes * pods };
}
