// The cluster itself, as a reconcile: missing → create; the lab's own with the same spec → skip;
// the lab's own with a different spec → show the difference and refuse unless --recreate. A
// cluster the lab did not create is never replaced or adopted (lab/ownership.ts says whose it is).
import { LabError } from '../errors.ts';
import { ensureDataDirs } from '../data-dir.ts';
import { existingClusterProblems } from '../existing-cluster.ts';
import { desiredSpec, diffSpecs, type ClusterSpec } from '../providers/types.ts';
import { manualDelete, markCreating, ownership, recordCreated, SPEC_CONFIGMAP, specConfigMap, type Ownership } from '../ownership.ts';
import { rememberActiveLab } from '../active-lab.ts';
import type { LabContext } from '../context.ts';
import type { Step } from './types.ts';

export type ClusterDecision =
  | { action: 'create' }
  | { action: 'skip' }
  | { action: 'refuse' | 'recreate'; diff: string[] }
  /** Never replaced, whatever the flags: not the lab's, or the lab cannot tell. */
  | { action: 'not-ours'; why: string };

/** The reconcile decision, separate from doing it so it can be tested and shown by `plan`. */
export function decide(exists: boolean, owner: Ownership | undefined, want: ClusterSpec, recreate: boolean): ClusterDecision {
  if (!exists || !owner) return { action: 'create' };
  switch (owner.owner) {
    case 'half-made':
      return { action: 'recreate', diff: ['spec: (creation was interrupted; replacing the half-made cluster)'] };
    case 'foreign':
    case 'unknown':
      return { action: 'not-ours', why: owner.owner === 'unknown' ? `its API server does not answer (${owner.why}) and nothing in .lab/ says the lab created it` : owner.why };
    case 'lab': {
      if (!owner.reachable) {
        const diff = [`reachable: its API server does not answer (${owner.why}); the lab created it on ${owner.createdAt}`];
        return { action: recreate ? 'recreate' : 'refuse', diff };
      }
      const diff = diffSpecs(owner.spec, want);
      if (diff.length === 0) return { action: 'skip' };
      return { action: recreate ? 'recreate' : 'refuse', diff };
    }
  }
}

async function decision(ctx: LabContext): Promise<ClusterDecision> {
  const exists = await ctx.provider.exists();
  return decide(exists, exists ? await ownership(ctx) : undefined, desiredSpec(ctx.cfg), ctx.flags.recreate);
}

export const clusterStep: Step = {
  name: 'cluster',
  title: 'Create the cluster (or check the one you named)',
  needs: ['preflight'],
  enabled: () => true,
  async check(ctx) {
    if (!ctx.provider.ownsCluster()) {
      const problems = await existingClusterProblems(ctx);
      return { done: problems.length === 0, detail: problems.join('\n') };
    }
    const d = await decision(ctx);
    if (d.action === 'skip') {
      rememberActiveLab(ctx.cfg);
      return { done: true, detail: `${ctx.cfg.clusterName} exists with the same spec` };
    }
    return { done: false, detail: d.action === 'create' ? 'missing' : d.action === 'not-ours' ? d.why : d.diff.join('\n') };
  },
  async apply(ctx) {
    if (!ctx.provider.ownsCluster()) {
      const problems = await existingClusterProblems(ctx);
      if (problems.length === 0) return;
      throw new LabError(`context ${ctx.provider.contextName()} is not safe for the lab as it is (${problems.length} problem${problems.length > 1 ? 's' : ''}); nothing was changed`, {
        detail: problems.map((p) => `- ${p}`).join('\n'),
      });
    }
    const d = await decision(ctx);
    const name = ctx.cfg.clusterName;
    if (d.action === 'not-ours') {
      throw new LabError(`a ${ctx.provider.name} cluster named ${name} exists, but the lab did not create it, so it will not use, replace or delete it: ${d.why}`, {
        detail: `Set LAB_CLUSTER_NAME to another name, or, if that cluster is yours to throw away, delete it yourself: ${manualDelete(ctx)}`,
      });
    }
    if (d.action === 'refuse') {
      throw new LabError(`cluster ${name} exists with a different spec; re-run with --recreate to replace it (lab data in LAB_DATA_DIR is kept)`, {
        detail: d.diff.join('\n'),
      });
    }
    if (d.action === 'skip') {
      rememberActiveLab(ctx.cfg);
      return;
    }
    if (d.action === 'recreate') await ctx.provider.delete();
    // Before the engine sees the mounts: rootful Docker creates a missing bind-mount source as root.
    ensureDataDirs(ctx.cfg);
    markCreating(ctx.cfg);
    try {
      await ctx.provider.create({ retain: ctx.flags.retain });
    } catch (err) {
      if (!ctx.flags.retain) {
        ctx.log.warn('cluster creation failed; removing the half-made cluster (use --retain to keep it for inspection)');
        await ctx.provider.delete().catch((e: Error) => ctx.log.warn(`cleanup failed too: ${e.message}`));
      }
      throw err;
    }
    // ctx.kube() follows the kubeconfig the creation just rewrote (new API port and CA).
    await ctx.kube().apply([specConfigMap(desiredSpec(ctx.cfg), ctx.cfg)]);
    recordCreated(ctx.cfg);
    rememberActiveLab(ctx.cfg);
  },
  plan(ctx) {
    const p = ctx.provider.plan();
    if (!ctx.provider.ownsCluster()) {
      return [...p.notes, 'check, before anything is applied: no mesh the lab did not install (unless --overwrite-mesh), no namespace the lab would create already there, a node for every node group (unless --label-nodes)'];
    }
    return [
      `mkdir ${ctx.cfg.dataDir} and its volume directories (owned by you, before the cluster mounts them)`,
      ...p.commands.map((c) => `run: ${c.join(' ')}`),
      ...p.files.map((f) => `write ${f.path}:\n${f.content.replace(/^/gm, '    ')}`),
      ...p.notes,
      `record the spec in ConfigMap ${SPEC_CONFIGMAP.namespace}/${SPEC_CONFIGMAP.name}`,
    ];
  },
};
