// The scheduling exercise's assertions, pure: (a) one per lab pod (its node's group is its
// workload's intended one) and one for the count; (b) the cordon, the Pending probe, the scheduler's
// reason, and the probe bound to an app node after the uncordon, each with its deadline and time.
import type { AssertionResult } from './types.ts';
import type { AssertionSpec } from './assertions.ts';
import { APP_GROUP, type CordonObservation, type CordonTiming } from './scheduling-cordon.ts';
import { ANY_GROUP } from './scheduling-groups.ts';
import type { Placement } from './scheduling-pods.ts';

/** kube-scheduler's summary in the PodScheduled condition, as the real 1.36 scheduler wrote it on
 * sim: "0/5 nodes are available: 1 node(s) had untolerated taint(s), 1 node(s) were unschedulable,
 * 3 node(s) didn't match Pod's node affinity/selector. no new claims to deallocate, preemption: …"
 * (kubernetes pkg/scheduler/framework FitError.Error; "node(s) were unschedulable" is the
 * NodeUnschedulable plugin's reason). Only the head and that count are read. */
export function readSchedulerMessage(message: string | undefined): { available: number | null; total: number | null; unschedulable: number } {
  const head = /(\d+)\/(\d+) nodes are available/.exec(message ?? '');
  const cordoned = /(\d+) node\(s\) were unschedulable/.exec(message ?? '');
  return { available: head ? Number(head[1]) : null, total: head ? Number(head[2]) : null, unschedulable: cordoned ? Number(cordoned[1]) : 0 };
}

const where = (p: Placement) => (p.node ? `${p.node} (${p.nodeGroup ?? 'no group label'})` : `not scheduled (${p.phase})`);
const onItsGroup = (p: Placement) => p.node !== null && (p.intended === ANY_GROUP || p.nodeGroup === p.intended);

/** One assertion per pod of a workload the lab installs, then the count. */
export function placementAssertions(pods: Placement[] | undefined, skipReason: string): AssertionResult[] {
  if (pods === undefined) return [{ name: 'placement: every lab pod on its node group', status: 'skipped', expected: 'every pod on its workload\'s node group', actual: null, numbers: {}, reason: skipReason }];
  const known = pods.filter((p) => p.intended !== undefined);
  const out: AssertionResult[] = known.map((p) => ({
    name: `placement: ${p.namespace}/${p.pod} (${p.workload.split('/')[0]} ${p.workload.split('/')[2]}) on node group ${p.intended}`,
    status: onItsGroup(p) ? 'pass' : 'fail',
    expected: p.intended === ANY_GROUP ? 'on a node (one pod per node: any group)' : `on a node labelled node.kubernetes.io/nodegroup=${p.intended}`,
    actual: `on ${where(p)}`,
    numbers: { node: p.node, nodeGroup: p.nodeGroup, intended: p.intended ?? null },
  }));
  const good = known.filter(onItsGroup).length;
  const others = pods.length - known.length;
  out.push({
    name: 'placement: every lab pod on its node group (count)',
    status: known.length > 0 && good === known.length ? 'pass' : 'fail',
    expected: 'all pods of the lab\'s workloads (≥ 1) on their intended group',
    actual: `${good} of ${known.length} on their group${known.length > good ? `; off it: ${known.filter((p) => !onItsGroup(p)).map((p) => `${p.namespace}/${p.pod} on ${where(p)}, wants ${p.intended}`).join('; ')}` : ''}${others ? `; ${others} pod(s) of workloads the lab does not install not judged` : ''}`,
    numbers: { onGroup: good, judged: known.length, notJudged: others },
  });
  return out;
}

export function cordonSpecs(t: Pick<CordonTiming, 'pendingTimeoutMs' | 'holdMs' | 'scheduleTimeoutMs'>): AssertionSpec<CordonObservation>[] {
  return [
    {
      name: `cordon: every ${APP_GROUP} node unschedulable`,
      expected: `spec.unschedulable = true on each ${APP_GROUP} node after kubectl cordon`,
      judge: (o) => {
        const on = o.afterCordon.filter((n) => n.unschedulable).length;
        return { pass: o.afterCordon.length > 0 && on === o.afterCordon.length, actual: `${on} of ${o.afterCordon.length} unschedulable (${o.cordoned.length} cordoned by the exercise)`, numbers: { unschedulable: on, appNodes: o.afterCordon.length, cordoned: o.cordoned.length } };
      },
    },
    {
      name: `cordon: the probe stays Pending (PodScheduled False within ${t.pendingTimeoutMs / 1000} s, still unbound ${t.holdMs / 1000} s later)`,
      expected: `no spec.nodeName; PodScheduled=False within ${t.pendingTimeoutMs} ms, and no node ${t.holdMs} ms after`,
      judge: (o) => ({
        pass: o.pending.seen && o.pending.stillUnbound,
        actual: o.pending.nodeName ? `bound to ${o.pending.nodeName} after ${o.pending.ms} ms, while cordoned` : o.pending.seen ? `PodScheduled False after ${o.pending.ms} ms; ${o.pending.stillUnbound ? 'unbound' : 'bound'} ${o.pending.heldMs} ms later` : `no PodScheduled=False after ${o.pending.ms} ms (${o.pending.condition ? `status ${o.pending.condition.status}` : 'no condition'})`,
        numbers: { ms: o.pending.ms, timeoutMs: o.pending.timeoutMs, heldMs: o.pending.heldMs, nodeName: o.pending.nodeName },
      }),
    },
    {
      name: `cordon: the scheduler's reason is Unschedulable, counting the cordoned ${APP_GROUP} node(s)`,
      expected: 'reason Unschedulable; message "0/<all> nodes are available: <app nodes> node(s) were unschedulable, …"',
      judge: (o) => {
        const c = o.pending.condition;
        const m = readSchedulerMessage(c?.message);
        const pass = c?.reason === 'Unschedulable' && m.available === 0 && m.total === o.nodesTotal && m.unschedulable === o.afterCordon.length;
        return {
          pass,
          actual: c ? `reason ${c.reason}: ${JSON.stringify(c.message ?? '')}` : 'no PodScheduled condition',
          numbers: { available: m.available, total: m.total, nodesTotal: o.nodesTotal, unschedulableInMessage: m.unschedulable, appNodes: o.afterCordon.length },
        };
      },
    },
    {
      name: `uncordon: the probe is scheduled on an ${APP_GROUP} node within ${t.scheduleTimeoutMs / 1000} s`,
      expected: `spec.nodeName set to a node labelled node.kubernetes.io/nodegroup=${APP_GROUP} within ${t.scheduleTimeoutMs} ms of the uncordon`,
      judge: (o) => ({
        pass: o.scheduled.ok && o.scheduled.nodeGroup === APP_GROUP,
        actual: o.scheduled.ok ? `bound to ${o.scheduled.nodeName} (${o.scheduled.nodeGroup ?? 'no group label'}) ${o.scheduled.ms} ms after the uncordon` : `still unbound after ${o.scheduled.ms} ms: ${o.scheduled.condition?.reason ?? 'no reason'} ${JSON.stringify(o.scheduled.condition?.message ?? '')}`,
        numbers: { ms: o.scheduled.ms, timeoutMs: o.scheduled.timeoutMs, nodeName: o.scheduled.nodeName, nodeGroup: o.scheduled.nodeGroup },
      }),
    },
  ];
}
