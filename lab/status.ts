// `lab status`: what exists right now — cluster, nodes with groups, PV/PVC binding, components.
import type { V1Node, V1PersistentVolume } from '@kubernetes/client-node';
import { NODEGROUP_LABEL } from './config-keys.ts';
import type { LabContext } from './context.ts';
import { PIPELINE, skippedHere } from './pipeline.ts';
import { labVolumes } from './steps/storage-objects.ts';

export interface LabStatus {
  cluster: { provider: string; name: string; context: string; kubeconfig: string; exists: boolean; reachable: boolean; error?: string };
  nodes: Array<{ name: string; group: string | null; ready: boolean; controlPlane: boolean }>;
  volumes: Array<{ pv: string; phase: string; claim: string | null; mode: string }>;
  components: Array<{ step: string; state: 'ready' | 'not ready' | `skipped (${string})` | 'error'; detail?: string }>;
}

export async function collectStatus(ctx: LabContext): Promise<LabStatus> {
  const st: LabStatus = {
    cluster: { provider: ctx.cfg.provider, name: ctx.cfg.clusterName, context: ctx.provider.contextName(), kubeconfig: ctx.cfg.kubeconfig, exists: false, reachable: false },
    nodes: [],
    volumes: [],
    components: [],
  };
  try {
    st.cluster.exists = await ctx.provider.exists();
  } catch (err) {
    st.cluster.error = (err as Error).message;
  }
  if (!st.cluster.exists) return st;
  try {
    const kube = ctx.kube();
    const nodes = await kube.list<V1Node>('v1', 'Node');
    st.cluster.reachable = true;
    st.nodes = nodes.map((n) => ({
      name: n.metadata!.name!,
      group: n.metadata?.labels?.[NODEGROUP_LABEL] ?? null,
      ready: (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
      controlPlane: 'node-role.kubernetes.io/control-plane' in (n.metadata?.labels ?? {}),
    }));
    for (const v of labVolumes()) {
      const pv = await kube.get<V1PersistentVolume>({ apiVersion: 'v1', kind: 'PersistentVolume', name: v.name });
      const ref = pv?.spec?.claimRef;
      st.volumes.push({ pv: v.name, phase: pv?.status?.phase ?? 'Missing', claim: ref?.uid ? `${ref.namespace}/${ref.name}` : null, mode: v.mode });
    }
  } catch (err) {
    st.cluster.error = (err as Error).message;
    return st;
  }
  // The checks only read: asked side by side, in pipeline order in the output.
  const steps = PIPELINE.filter((s) => !['preflight', 'cluster'].includes(s.name) && s.enabled(ctx.cfg));
  st.components = await Promise.all(steps.map(async (step): Promise<LabStatus['components'][number]> => {
    const skipped = skippedHere(ctx, step);
    if (skipped) return { step: step.name, state: `skipped (${ctx.provider.name})`, detail: skipped.replace(/^skipped \([^)]*\): /, '') };
    try {
      const r = await step.check(ctx);
      return { step: step.name, state: r.done ? 'ready' : 'not ready', detail: r.done ? undefined : r.detail };
    } catch (err) {
      return { step: step.name, state: 'error', detail: (err as Error).message };
    }
  }));
  return st;
}

export function formatStatus(st: LabStatus): string {
  const c = st.cluster;
  const lines = [`Cluster ${c.name} (${c.provider}): ${c.exists ? (c.reachable ? 'running' : 'not reachable') : 'not created'}${c.error ? ` — ${c.error}` : ''}`];
  if (c.exists) lines.push(`  kubeconfig ${c.kubeconfig}, context ${c.context}`);
  if (st.nodes.length) {
    lines.push('Nodes:');
    for (const n of st.nodes) lines.push(`  ${n.name.padEnd(28)} ${(n.controlPlane ? 'control-plane' : (n.group ?? '(no group)')).padEnd(14)} ${n.ready ? 'Ready' : 'NotReady'}`);
  }
  if (st.volumes.length) {
    lines.push('Volumes:');
    for (const v of st.volumes) lines.push(`  ${v.pv.padEnd(14)} ${v.mode.padEnd(14)} ${v.phase.padEnd(10)} ${v.claim ?? '(no claim yet)'}`);
  }
  if (st.components.length) {
    lines.push('Components:');
    for (const x of st.components) lines.push(`  ${x.step.padEnd(14)} ${x.state}${x.detail ? ` — ${x.detail.split('\n')[0]}` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}
