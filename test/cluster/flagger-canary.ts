// What a Flagger run left behind, read from the API server, and the two outcomes judged on it:
// promoted (Succeeded, Promoted=True, the primary runs the new template, the canary weight rose in
// steps to maxWeight, all traffic back on the primary) and rolled back (Failed, Promoted=False, the
// primary unchanged, all traffic on the primary, the canary scaled to zero). Judged on
// `.status.phase` and the `Promoted` condition, never on failedChecks (Flagger resets it). Each
// check returns what is wrong ([] = the outcome), so a test can show it failing on the other outcome.
import type { KubernetesObject, V1Deployment } from '@kubernetes/client-node';
import type { Kube } from '../../lab/kube.ts';

export interface CanaryStatus {
  phase?: string;
  canaryWeight?: number;
  failedChecks?: number;
  iterations?: number;
  conditions?: Array<{ type: string; status: string; reason?: string; message?: string }>;
}
export type CanaryObject = KubernetesObject & { spec: { targetRef: { name: string }; service: { name?: string }; analysis: { maxWeight?: number; stepWeight?: number } }; status?: CanaryStatus };

export interface TimelineEntry { ms: number; phase: string; weight: number; failedChecks: number }

export interface Snapshot {
  phase: string;
  promoted?: { status: string; reason?: string };
  /** The value of the revision annotation on the primary's pod template. */
  primaryRevision?: string;
  canaryReplicas?: number;
  /** VirtualService `<service>` weights by destination host. */
  routes: Record<string, number>;
  /** Every phase/weight change seen while watching. */
  timeline: TimelineEntry[];
  maxWeight: number;
}

export const REVISION_ANNOTATION = 'lab.cloud-native/revision';

const ref = (kind: string, apiVersion: string, namespace: string, name: string) => ({ apiVersion, kind, namespace, name });

export const getCanary = (k: Kube, namespace: string, name: string) => k.get<CanaryObject>(ref('Canary', 'flagger.app/v1beta1', namespace, name));

/** Poll the Canary every `everyMs` until `done(status)` or `timeoutMs`; the phase/weight changes on the way. */
export async function watchCanary(k: Kube, namespace: string, name: string, done: (s: CanaryStatus) => boolean, o: { timeoutMs: number; everyMs?: number }): Promise<{ status: CanaryStatus; timeline: TimelineEntry[]; ms: number; timedOut: boolean }> {
  const t0 = Date.now();
  const timeline: TimelineEntry[] = [];
  for (;;) {
    const s = (await getCanary(k, namespace, name))?.status ?? {};
    const e = { ms: Date.now() - t0, phase: s.phase ?? '', weight: s.canaryWeight ?? 0, failedChecks: s.failedChecks ?? 0 };
    const last = timeline[timeline.length - 1];
    if (!last || last.phase !== e.phase || last.weight !== e.weight || last.failedChecks !== e.failedChecks) timeline.push(e);
    if (done(s)) return { status: s, timeline, ms: e.ms, timedOut: false };
    if (e.ms > o.timeoutMs) return { status: s, timeline, ms: e.ms, timedOut: true };
    await new Promise((r) => setTimeout(r, o.everyMs ?? 500));
  }
}

/** Primary, canary Deployment and VirtualService as they are now, with the watched timeline. */
export async function snapshot(k: Kube, namespace: string, name: string, timeline: TimelineEntry[]): Promise<Snapshot> {
  const cd = await getCanary(k, namespace, name);
  if (!cd) throw new Error(`Canary ${namespace}/${name} is gone`);
  const target = cd.spec.targetRef.name;
  const service = cd.spec.service.name ?? target;
  const primary = await k.get<V1Deployment>(ref('Deployment', 'apps/v1', namespace, `${target}-primary`));
  const canary = await k.get<V1Deployment>(ref('Deployment', 'apps/v1', namespace, target));
  const vs = await k.get<KubernetesObject & { spec?: { http?: Array<{ route?: Array<{ destination: { host: string }; weight?: number }> }> } }>(ref('VirtualService', 'networking.istio.io/v1beta1', namespace, service));
  const routes: Record<string, number> = {};
  for (const r of vs?.spec?.http?.[0]?.route ?? []) routes[r.destination.host] = r.weight ?? 0;
  const promoted = cd.status?.conditions?.find((c) => c.type === 'Promoted');
  return {
    phase: cd.status?.phase ?? '',
    promoted: promoted && { status: promoted.status, reason: promoted.reason },
    primaryRevision: primary?.spec?.template?.metadata?.annotations?.[REVISION_ANNOTATION],
    canaryReplicas: canary?.spec?.replicas,
    routes,
    timeline,
    maxWeight: cd.spec.analysis.maxWeight ?? 0,
  };
}

/** All traffic on the primary: `<service>-primary` 100, `<service>-canary` 0. */
export function primaryOnlyProblems(s: Snapshot, service: string): string[] {
  const p = s.routes[`${service}-primary`];
  const c = s.routes[`${service}-canary`];
  return p === 100 && c === 0 ? [] : [`VirtualService ${service} sends ${p ?? 'nothing'} % to ${service}-primary and ${c ?? 'nothing'} % to ${service}-canary, not 100/0`];
}

/** The canary weights seen while Progressing: rose in more than one step, never fell, up to maxWeight. */
export function stepProblems(s: Snapshot): string[] {
  const weights = s.timeline.filter((e) => e.phase === 'Progressing' && e.weight > 0).map((e) => e.weight);
  const distinct = weights.filter((w, i) => i === 0 || w !== weights[i - 1]);
  const problems: string[] = [];
  if (distinct.length < 2) problems.push(`the canary weight took ${distinct.length} value(s) while Progressing (${distinct.join(', ') || 'none'}), not several steps`);
  if (distinct.some((w, i) => i > 0 && w < distinct[i - 1])) problems.push(`the canary weight fell on the way: ${distinct.join(' → ')}`);
  if (Math.max(0, ...distinct) !== s.maxWeight) problems.push(`the canary weight reached ${Math.max(0, ...distinct)}, not maxWeight ${s.maxWeight}`);
  return problems;
}

export function promotionProblems(s: Snapshot, o: { service: string; revision: string }): string[] {
  const problems: string[] = [];
  if (s.phase !== 'Succeeded') problems.push(`phase is ${s.phase || 'unset'}, not Succeeded`);
  if (s.promoted?.status !== 'True' || s.promoted.reason !== 'Succeeded') problems.push(`Promoted is ${s.promoted?.status ?? 'absent'} (${s.promoted?.reason ?? '-'}), not True (Succeeded)`);
  if (s.primaryRevision !== o.revision) problems.push(`the primary runs revision ${s.primaryRevision ?? 'none'}, not the new ${o.revision}`);
  return [...problems, ...stepProblems(s), ...primaryOnlyProblems(s, o.service)];
}

export function rollbackProblems(s: Snapshot, o: { service: string; primaryRevision: string }): string[] {
  const problems: string[] = [];
  if (s.phase !== 'Failed') problems.push(`phase is ${s.phase || 'unset'}, not Failed`);
  if (s.promoted?.status !== 'False' || s.promoted.reason !== 'Failed') problems.push(`Promoted is ${s.promoted?.status ?? 'absent'} (${s.promoted?.reason ?? '-'}), not False (Failed)`);
  if (s.primaryRevision !== o.primaryRevision) problems.push(`the primary runs revision ${s.primaryRevision ?? 'none'}, not the unchanged ${o.primaryRevision}`);
  if (s.canaryReplicas !== 0) problems.push(`the canary Deployment has ${s.canaryReplicas} replicas, not 0`);
  return [...problems, ...primaryOnlyProblems(s, o.service)];
}

/** "Progressing 25 % (0 failed) at 12.3 s → …" for logs and reports. */
export const describeTimeline = (t: TimelineEntry[]) => t.map((e) => `${e.phase || '-'} ${e.weight}%${e.failedChecks ? ` (${e.failedChecks} failed)` : ''} at ${(e.ms / 1000).toFixed(1)} s`).join(' → ');
