// Part (b) of the scheduling exercise: cordon the app node(s), create a probe pod that may only
// run there, and watch the real scheduler: PodScheduled=False (reason Unschedulable, its message
// counting the unschedulable nodes) while they are cordoned, bound to an app node once they are
// uncordoned. Only the nodes the exercise cordoned are uncordoned; cleanup puts every app node's
// spec.unschedulable back to what it was, whatever happened.
import type { KubernetesObject, V1Node, V1Pod, V1PodCondition } from '@kubernetes/client-node';
import { NODEGROUP_LABEL } from '../config-keys.ts';
import { LabError } from '../errors.ts';
import type { ObjRef } from '../kube.ts';
import { REAL_CLOCK, type Clock } from './clock.ts';
import { pollUntil } from './exercise-helpers.ts';
import { phaseObjects } from './front-end-mesh.ts';
import type { ExerciseRun } from './types.ts';

export const APP_GROUP = 'app';
export const APP_SELECTOR = `${NODEGROUP_LABEL}=${APP_GROUP}`;

export interface CordonTiming {
  /** Until the scheduler has said why the probe cannot be placed. */
  pendingTimeoutMs: number;
  /** How long the probe must then stay unbound (it "stays Pending"). */
  holdMs: number;
  /** From the uncordon until the probe is bound. */
  scheduleTimeoutMs: number;
  pollMs: number;
  clock: Clock;
}

export const CORDON_TIMING: CordonTiming = { pendingTimeoutMs: 30_000, holdMs: 3_000, scheduleTimeoutMs: 60_000, pollMs: 250, clock: REAL_CLOCK };

export function probePod(): V1Pod {
  return phaseObjects('scheduling', 'probe')[0] as unknown as V1Pod;
}

export function probeRef(): ObjRef {
  const p = probePod();
  return { apiVersion: 'v1', kind: 'Pod', namespace: p.metadata!.namespace, name: p.metadata!.name! };
}

export interface NodeState {
  name: string;
  unschedulable: boolean;
}

export interface ProbeState {
  nodeName: string | null;
  condition: Pick<V1PodCondition, 'status' | 'reason' | 'message'> | null;
}

export interface CordonObservation {
  /** Every app node before the exercise touched it. */
  before: NodeState[];
  /** The ones the exercise cordoned (schedulable before). */
  cordoned: string[];
  /** Every app node as read back after the cordon. */
  afterCordon: NodeState[];
  nodesTotal: number;
  pending: ProbeState & { ms: number; timeoutMs: number; seen: boolean; heldMs: number; stillUnbound: boolean };
  scheduled: ProbeState & { ms: number; timeoutMs: number; ok: boolean; nodeGroup: string | null };
}

/** What setup recorded and cleanup puts back (shared with act, which fills `cordoned`). */
export interface CordonState {
  before: NodeState[];
  cordoned: string[];
}

const unschedulable = (n: KubernetesObject) => (n as V1Node).spec?.unschedulable === true;

export async function appNodes(x: ExerciseRun): Promise<NodeState[]> {
  const nodes = await x.ops.list('v1', 'Node', { labelSelector: APP_SELECTOR });
  return nodes.filter((n) => n.metadata?.labels?.[NODEGROUP_LABEL] === APP_GROUP).map((n) => ({ name: n.metadata!.name!, unschedulable: unschedulable(n) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

async function kubectl(x: ExerciseRun, args: string[]): Promise<void> {
  const r = await x.ops.command('kubectl', args);
  if (r.exitCode !== 0) throw new LabError(`kubectl ${args.join(' ')} exited ${r.exitCode}`, { detail: `${r.stdout}\n${r.stderr}`.trim() });
}

async function probeState(x: ExerciseRun): Promise<ProbeState> {
  const p = (await x.ops.get(probeRef())) as V1Pod | undefined;
  if (!p) throw new LabError(`the probe pod ${probeRef().namespace}/${probeRef().name} is gone`);
  const c = p.status?.conditions?.find((k) => k.type === 'PodScheduled');
  return { nodeName: p.spec?.nodeName ?? null, condition: c ? { status: c.status, reason: c.reason, message: c.message } : null };
}

/** Cordon, probe, uncordon; `state.cordoned` is filled before each cordon, so cleanup knows. */
export async function cordonAndProbe(x: ExerciseRun, state: CordonState, t: CordonTiming): Promise<CordonObservation> {
  for (const n of state.before.filter((b) => !b.unschedulable)) {
    state.cordoned.push(n.name);
    await x.change(`kubectl cordon ${n.name} (app node group)`, () => kubectl(x, ['cordon', n.name]));
  }
  const afterCordon = await appNodes(x);
  const nodesTotal = (await x.ops.list('v1', 'Node')).length;
  await x.change(`create the probe pod ${probeRef().namespace}/${probeRef().name} (nodeSelector ${APP_SELECTOR})`, () => x.ops.apply([probePod() as unknown as KubernetesObject]));
  const clock = t.clock;
  const pending = await x.wait(`until the scheduler reports why the probe cannot be placed (≤ ${t.pendingTimeoutMs / 1000} s)`, async () => {
    const r = await pollUntil(() => probeState(x), (s) => s.nodeName !== null || s.condition?.status === 'False', t.pendingTimeoutMs, t.pollMs, clock);
    const seen = r.value.nodeName === null && r.value.condition?.status === 'False';
    let held = r.value;
    const h0 = clock.now();
    if (seen) {
      await clock.sleep(t.holdMs);
      held = await probeState(x);
    }
    return { ...r.value, ms: r.ms, timeoutMs: t.pendingTimeoutMs, seen, heldMs: clock.now() - h0, stillUnbound: seen && held.nodeName === null };
  });
  for (const name of state.cordoned) {
    await x.change(`kubectl uncordon ${name}`, () => kubectl(x, ['uncordon', name]));
  }
  const scheduled = await x.wait(`until the probe is bound to a node (≤ ${t.scheduleTimeoutMs / 1000} s after the uncordon)`, async () => {
    const r = await pollUntil(() => probeState(x), (s) => s.nodeName !== null, t.scheduleTimeoutMs, t.pollMs, clock);
    const node = r.value.nodeName ? await x.ops.get({ apiVersion: 'v1', kind: 'Node', name: r.value.nodeName }) : undefined;
    return { ...r.value, ms: r.ms, timeoutMs: t.scheduleTimeoutMs, ok: r.ok, nodeGroup: node?.metadata?.labels?.[NODEGROUP_LABEL] ?? null };
  });
  return { before: state.before, cordoned: [...state.cordoned], afterCordon, nodesTotal, pending, scheduled };
}

/** Every app node back to its recorded spec.unschedulable: one assertion per node. Never throws. */
export async function restoreNodes(x: ExerciseRun, state: CordonState): Promise<void> {
  for (const n of state.before) {
    const live = await x.ops.get({ apiVersion: 'v1', kind: 'Node', name: n.name });
    const now = live ? unschedulable(live) : null;
    let error = '';
    if (now !== null && now !== n.unschedulable) {
      const args = [n.unschedulable ? 'cordon' : 'uncordon', n.name];
      error = await x.change(`kubectl ${args.join(' ')} (back to how it was)`, async () => {
        const r = await x.ops.command('kubectl', args);
        return r.exitCode === 0 ? '' : `kubectl ${args.join(' ')} exited ${r.exitCode}: ${r.stderr.trim()}`;
      });
    }
    const after = await x.ops.get({ apiVersion: 'v1', kind: 'Node', name: n.name });
    const restored = after !== undefined && unschedulable(after) === n.unschedulable;
    x.record({
      name: `node ${n.name}: spec.unschedulable back to ${n.unschedulable}`,
      status: restored ? 'pass' : 'fail',
      expected: `unschedulable = ${n.unschedulable}, as before the exercise`,
      actual: after ? `unschedulable = ${unschedulable(after)}${error ? ` (${error})` : ''}` : 'the node is gone',
      numbers: { expected: n.unschedulable, actual: after ? unschedulable(after) : null },
    });
  }
}
