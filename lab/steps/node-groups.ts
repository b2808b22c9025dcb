// Node groups for providers whose nodes are labelled after they exist (minikube; existing with
// --label-nodes). Workers (nodes without the control-plane role) sorted by name get app, deploy,
// ingress, system in turn — minikube's <name>-m02.. order, as seed 002 labels them by hand.
import type { V1Node } from '@kubernetes/client-node';
import { NODEGROUP_LABEL } from '../config-keys.ts';
import { LabError } from '../errors.ts';
import type { LabContext } from '../context.ts';
import type { Step } from './types.ts';

const CONTROL_PLANE = 'node-role.kubernetes.io/control-plane';

export function assignGroups(nodes: V1Node[], groups: string[]): Array<{ node: string; group: string; has?: string }> {
  const workers = nodes
    .filter((n) => !(n.metadata?.labels && CONTROL_PLANE in n.metadata.labels))
    .map((n) => n.metadata!.name!)
    .sort();
  return workers.slice(0, groups.length).map((name, i) => ({
    node: name,
    group: groups[i],
    has: nodes.find((n) => n.metadata?.name === name)?.metadata?.labels?.[NODEGROUP_LABEL],
  }));
}

async function plan(ctx: LabContext) {
  const nodes = await ctx.kube().list<V1Node>('v1', 'Node');
  const assigned = assignGroups(nodes, ctx.cfg.workerGroups);
  if (assigned.length < ctx.cfg.workerGroups.length) {
    throw new LabError(`the cluster has ${assigned.length} worker nodes; the lab needs ${ctx.cfg.workerGroups.length} (LAB_WORKERS) to place node groups`);
  }
  return assigned;
}

export const nodeGroupsStep: Step = {
  name: 'node-groups',
  title: 'Label nodes with their node group',
  needs: ['cluster'],
  enabled: () => true,
  async check(ctx) {
    if (!ctx.provider.labelsNodesAfterCreate()) return { done: true, detail: 'labels are set when nodes are created' };
    const wrong = (await plan(ctx)).filter((a) => a.has !== a.group);
    return { done: wrong.length === 0, detail: wrong.map((w) => `${w.node}: ${w.has ?? '(none)'} → ${w.group}`).join('\n') };
  },
  async apply(ctx) {
    if (!ctx.provider.labelsNodesAfterCreate()) return;
    const wrong = (await plan(ctx)).filter((a) => a.has !== a.group);
    await ctx.kube().apply(wrong.map((w) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: w.node, labels: { [NODEGROUP_LABEL]: w.group } } })));
  },
  plan: (ctx) =>
    ctx.provider.labelsNodesAfterCreate()
      ? [`label workers (sorted by name) ${NODEGROUP_LABEL}=${ctx.cfg.workerGroups.join(', ')}`]
      : ['labels come with the nodes (kind config / sim)'],
};
