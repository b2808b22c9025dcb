// A cluster with node groups and a scheduler, for the scheduling exercise's contract tests: nodes
// named and labelled as sim's (a tainted control plane, workers app/deploy/ingress/system), one pod
// per workload the lab installs in sock-shop and istio-system (owned through a ReplicaSet, as a
// Deployment's are) plus a per-node DaemonSet pod and a pod of no lab workload, `kubectl
// cordon/uncordon`, and a scheduler that binds a new pod to a node its nodeSelector matches
// `bindAfterMs` after it could (on the test's virtual clock) or reports PodScheduled=False with
// kube-scheduler's message. It misbehaves on request (SchedulerFault).
import type { KubernetesObject, V1Node, V1Pod } from '@kubernetes/client-node';
import { NODEGROUP_LABEL } from '../../lab/config-keys.ts';
import type { CommandResult } from '../../lab/exercises/mesh-ops-types.ts';
import { ANY_GROUP, intendedWorkloads } from '../../lab/exercises/scheduling-groups.ts';
import type { ObjRef } from '../../lab/kube.ts';
import { FakeMesh } from './fake-mesh.ts';
import type { VirtualClock } from './virtual-clock.ts';

export type SchedulerFault =
  | 'wrong-group' // one sock-shop pod runs on a system node
  | 'pending-pod' // one sock-shop pod was never scheduled
  | 'cordon-ignored' // kubectl cordon exits 0 but the node stays schedulable: the probe is bound
  | 'never-scheduled' // after the uncordon the scheduler never binds the probe
  | 'other-reason' // the scheduler gives another reason than Unschedulable
  | 'no-condition' // the scheduler never writes PodScheduled
  | 'uncordon-ignored' // kubectl uncordon exits 0 and changes nothing (cleanup must notice)
  | 'cordon-fails'; // kubectl cordon exits 1

export interface SchedulerOptions {
  clock: VirtualClock;
  faults?: SchedulerFault[];
  /** App nodes (default 1, like sim's 4 workers). */
  appNodes?: number;
  /** App nodes already cordoned before the exercise (by name index). */
  preCordoned?: number[];
  bindAfterMs?: number;
}

const key = (r: ObjRef) => `${r.kind}/${r.namespace ?? ''}/${r.name}`;
const CONTROL_PLANE = 'lab-control-plane';

export class SchedulerMesh extends FakeMesh {
  readonly nodes = new Map<string, V1Node>();
  readonly pods = new Map<string, V1Pod>();
  private readonly replicaSets: KubernetesObject[] = [];
  /** When each pending pod became schedulable-or-not last (creation, an uncordon). */
  private readonly since = new Map<string, number>();
  private readonly has: (f: SchedulerFault) => boolean;

  constructor(readonly s: SchedulerOptions) {
    super();
    this.has = (f) => s.faults?.includes(f) ?? false;
    const groups = [...Array.from({ length: s.appNodes ?? 1 }, () => 'app'), 'deploy', 'ingress', 'system'];
    this.addNode(CONTROL_PLANE, undefined);
    groups.forEach((g, i) => this.addNode(`lab-worker${i === 0 ? '' : i + 1}`, g, g === 'app' && (s.preCordoned ?? []).includes(i)));
    this.seedPods();
  }

  private addNode(name: string, group: string | undefined, unschedulable = false) {
    this.nodes.set(name, {
      apiVersion: 'v1', kind: 'Node',
      metadata: { name, labels: group ? { [NODEGROUP_LABEL]: group } : { 'node-role.kubernetes.io/control-plane': '' } },
      spec: { ...(group ? {} : { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] }), ...(unschedulable ? { unschedulable: true } : {}) },
    });
  }

  private nodeOf(group: string): string | undefined {
    return [...this.nodes.values()].find((n) => n.metadata?.labels?.[NODEGROUP_LABEL] === group)?.metadata?.name;
  }

  private seedPods() {
    const intended = [...intendedWorkloads().values()];
    const wanted = intended.filter((w) => ['sock-shop', 'istio-system'].includes(w.namespace) && w.kind === 'Deployment' && w.source !== 'chart kiali' && w.source !== 'chart flagger');
    const daemon = intended.find((w) => w.kind === 'DaemonSet' && w.group === ANY_GROUP)!;
    let wrongDone = false;
    let pendingDone = false;
    for (const w of wanted) {
      const rs = `${w.name}-7d9f8c6b5`;
      this.replicaSets.push({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: rs, namespace: w.namespace, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: w.name, uid: `u-${w.name}`, controller: true }] } } as KubernetesObject);
      let node: string | undefined = this.nodeOf(w.group);
      if (w.namespace === 'sock-shop' && this.has('wrong-group') && !wrongDone) [node, wrongDone] = [this.nodeOf('system'), true];
      else if (w.namespace === 'sock-shop' && w.name !== 'front-end' && this.has('pending-pod') && !pendingDone) [node, pendingDone] = [undefined, true];
      this.addPod(`${rs}-x${this.pods.size}`, w.namespace, { kind: 'ReplicaSet', name: rs }, node);
    }
    this.addPod(`${daemon.name}-abcde`, daemon.namespace, { kind: 'DaemonSet', name: daemon.name }, CONTROL_PLANE);
    this.addPod('debug-shell', 'sock-shop', undefined, this.nodeOf('deploy'));
  }

  private addPod(name: string, namespace: string, owner: { kind: string; name: string } | undefined, node: string | undefined) {
    this.pods.set(key({ apiVersion: 'v1', kind: 'Pod', namespace, name }), {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name, namespace, ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: owner.kind, name: owner.name, uid: `u-${owner.name}`, controller: true }] } : {}) },
      spec: { containers: [{ name: 'c' }], ...(node ? { nodeName: node } : {}) },
      status: { phase: node ? 'Running' : 'Pending' },
    });
  }

  /** The scheduler's pass over pending pods, due whenever the API is read. */
  private schedule() {
    const now = this.s.clock.now();
    for (const [k, p] of this.pods) {
      if (p.spec?.nodeName || !this.since.has(k) || now - this.since.get(k)! < (this.s.bindAfterMs ?? 200)) continue;
      const sel = p.spec?.nodeSelector ?? {};
      const nodes = [...this.nodes.values()];
      const cordoned = nodes.filter((n) => n.spec?.unschedulable);
      const tainted = nodes.filter((n) => !n.spec?.unschedulable && (n.spec?.taints ?? []).length > 0);
      const mismatch = nodes.filter((n) => !n.spec?.unschedulable && !(n.spec?.taints ?? []).length && !Object.entries(sel).every(([a, b]) => a === 'kubernetes.io/os' || n.metadata?.labels?.[a] === b));
      const fit = nodes.filter((n) => !cordoned.includes(n) && !tainted.includes(n) && !mismatch.includes(n));
      const afterUncordon = this.since.get(k)! > this.createdAt(k);
      if (fit.length > 0 && !(this.has('never-scheduled') && afterUncordon)) {
        p.spec!.nodeName = fit[0].metadata!.name;
        p.status = { phase: 'Running', conditions: [{ type: 'PodScheduled', status: 'True' }] };
      } else if (fit.length === 0 && !this.has('no-condition')) {
        // As kube-scheduler 1.36 wrote it on sim (reasons sorted; measured by test/cluster/scheduling.test.ts).
        const parts = [tainted.length && `${tainted.length} node(s) had untolerated taint(s)`, cordoned.length && `${cordoned.length} node(s) were unschedulable`, mismatch.length && `${mismatch.length} node(s) didn't match Pod's node affinity/selector`].filter(Boolean);
        const message = `0/${nodes.length} nodes are available: ${parts.join(', ')}. no new claims to deallocate, preemption: 0/${nodes.length} nodes are available: ${nodes.length} Preemption is not helpful for scheduling.`;
        p.status = { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: this.has('other-reason') ? 'SchedulerError' : 'Unschedulable', message }] };
      }
    }
  }

  private readonly created = new Map<string, number>();
  private createdAt(k: string) {
    return this.created.get(k) ?? 0;
  }

  async get(ref: ObjRef) {
    this.schedule();
    if (ref.kind === 'Node') return structuredClone(this.nodes.get(ref.name)) as KubernetesObject | undefined;
    if (ref.kind === 'Pod') return structuredClone(this.pods.get(key(ref))) as KubernetesObject | undefined;
    return super.get(ref);
  }

  async list(apiVersion: string, kind: string, opts: { namespace?: string; labelSelector?: string } = {}): Promise<KubernetesObject[]> {
    this.schedule();
    const wanted = (opts.labelSelector ?? '').split(',').filter(Boolean).map((t) => t.split('='));
    const pick = (objs: KubernetesObject[]) => objs.filter((o) => (opts.namespace === undefined || o.metadata?.namespace === opts.namespace) && wanted.every(([a, b]) => o.metadata?.labels?.[a] === b)).map((o) => structuredClone(o));
    if (kind === 'Node') return pick([...this.nodes.values()] as KubernetesObject[]);
    if (kind === 'Pod') return pick([...this.pods.values()] as KubernetesObject[]);
    if (kind === 'ReplicaSet') return pick(this.replicaSets);
    return super.list(apiVersion, kind, opts);
  }

  async apply(objs: KubernetesObject[]) {
    for (const o of objs) {
      if (o.kind !== 'Pod') {
        await super.apply([o]);
        continue;
      }
      const k = key({ apiVersion: 'v1', kind: 'Pod', namespace: o.metadata!.namespace, name: o.metadata!.name! });
      this.applies.push(k);
      if (this.pods.has(k)) continue; // a pod's spec does not change
      this.pods.set(k, { ...(structuredClone(o) as V1Pod), status: { phase: 'Pending' } });
      this.created.set(k, this.s.clock.now());
      this.since.set(k, this.s.clock.now());
    }
  }

  async delete(ref: ObjRef) {
    if (ref.kind === 'Pod') return this.pods.delete(key(ref));
    return super.delete(ref);
  }

  async command(tool: 'kubectl' | 'istioctl', args: string[], opts: { timeoutMs?: number; input?: string } = {}): Promise<CommandResult> {
    const [verb, name] = args;
    if (tool !== 'kubectl' || (verb !== 'cordon' && verb !== 'uncordon')) return super.command(tool, args, opts);
    this.commanded.push([tool, ...args]);
    const node = this.nodes.get(name);
    const answer = (exitCode: number, stdout: string, stderr = '') => ({ argv: [tool, ...args], exitCode, stdout, stderr });
    if (!node) return answer(1, '', `Error from server (NotFound): nodes "${name}" not found`);
    if (verb === 'cordon' && this.has('cordon-fails')) return answer(1, '', `error: unable to cordon node "${name}": the server rejected our request`);
    const ignored = verb === 'cordon' ? this.has('cordon-ignored') : this.has('uncordon-ignored');
    if (!ignored) {
      // false is omitted on read, as the API server does (omitempty).
      const { unschedulable: _was, ...rest } = node.spec ?? {};
      node.spec = verb === 'cordon' ? { ...rest, unschedulable: true } : rest;
      if (verb === 'uncordon') for (const k of this.since.keys()) this.since.set(k, this.s.clock.now());
    }
    return answer(0, `node/${name} ${verb}ed\n`);
  }
}
