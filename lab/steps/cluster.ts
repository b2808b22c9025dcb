// The cluster itself, as a reconcile: missing → create; present with the same spec → skip;
// present with a different spec → show the difference and refuse unless --recreate.
// The spec the lab created the cluster with is kept in ConfigMap kube-system/cloud-native-lab.
import type { V1ConfigMap } from '@kubernetes/client-node';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { activeLabFile } from '../config.ts';
import type { LabConfig } from '../config.ts';
import { LabError } from '../errors.ts';
import { MANAGED_BY } from '../kube.ts';
import { desiredSpec, diffSpecs, type ClusterSpec } from '../providers/types.ts';
import type { LabContext } from '../context.ts';
import type { Step } from './types.ts';

export const SPEC_CONFIGMAP = { apiVersion: 'v1', kind: 'ConfigMap', name: 'cloud-native-lab', namespace: 'kube-system' };

export function specConfigMap(spec: ClusterSpec): V1ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: SPEC_CONFIGMAP.name, namespace: SPEC_CONFIGMAP.namespace, labels: { ...MANAGED_BY } },
    data: { spec: JSON.stringify(spec, null, 2) },
  };
}

export async function liveSpec(ctx: LabContext): Promise<ClusterSpec | undefined> {
  const cm = await ctx.kube().get<V1ConfigMap>(SPEC_CONFIGMAP);
  return cm?.data?.spec ? (JSON.parse(cm.data.spec) as ClusterSpec) : undefined;
}

export type ClusterDecision = { action: 'create' } | { action: 'skip' } | { action: 'refuse' | 'recreate'; diff: string[] };

/**
 * The reconcile decision, separate from doing it so it can be tested and shown by `plan`.
 * `halfMade`: the lab started creating this cluster and was interrupted before recording its
 * spec, so it is the lab's own and is replaced rather than refused.
 */
export function decide(exists: boolean, have: ClusterSpec | undefined, want: ClusterSpec, recreate: boolean, halfMade = false): ClusterDecision {
  if (!exists) return { action: 'create' };
  if (!have && halfMade) return { action: 'recreate', diff: ['spec: (creation was interrupted; replacing the half-made cluster)'] };
  const diff = have ? diffSpecs(have, want) : ['spec: (not recorded: this cluster was not made by the lab)'];
  if (diff.length === 0) return { action: 'skip' };
  return { action: recreate ? 'recreate' : 'refuse', diff };
}

async function decision(ctx: LabContext): Promise<ClusterDecision> {
  const exists = await ctx.provider.exists();
  const have = exists ? await liveSpec(ctx) : undefined;
  return decide(exists, have, desiredSpec(ctx.cfg), ctx.flags.recreate, existsSync(creatingMarker(ctx.cfg)));
}

/** Present while the lab is creating a cluster; removed once its spec is recorded. */
function creatingMarker(cfg: LabConfig): string {
  return path.join(cfg.stateDir, `creating-${cfg.provider}-${cfg.clusterName}`);
}

export const clusterStep: Step = {
  name: 'cluster',
  title: 'Create the cluster',
  needs: ['preflight'],
  enabled: (cfg) => cfg.provider !== 'existing',
  async check(ctx) {
    const d = await decision(ctx);
    if (d.action === 'skip') {
      rememberActiveLab(ctx.cfg);
      return { done: true, detail: `${ctx.cfg.clusterName} exists with the same spec` };
    }
    return { done: false, detail: d.action === 'create' ? 'missing' : d.diff.join('\n') };
  },
  async apply(ctx) {
    const d = await decision(ctx);
    if (d.action === 'refuse') {
      throw new LabError(`cluster ${ctx.cfg.clusterName} exists with a different spec; re-run with --recreate to replace it (lab data in LAB_DATA_DIR is kept)`, {
        detail: d.diff.join('\n'),
      });
    }
    if (d.action === 'recreate') await ctx.provider.delete();
    if (d.action !== 'skip') {
      const marker = creatingMarker(ctx.cfg);
      mkdirSync(path.dirname(marker), { recursive: true });
      writeFileSync(marker, `${new Date().toISOString()}\n`);
      try {
        await ctx.provider.create({ retain: ctx.flags.retain });
      } catch (err) {
        if (!ctx.flags.retain && ctx.provider.ownsCluster()) {
          ctx.log.warn('cluster creation failed; removing the half-made cluster (use --retain to keep it for inspection)');
          await ctx.provider.delete().catch((e: Error) => ctx.log.warn(`cleanup failed too: ${e.message}`));
        }
        throw err;
      }
      await ctx.kube().apply([specConfigMap(desiredSpec(ctx.cfg))]);
      rmSync(marker, { force: true });
    }
    rememberActiveLab(ctx.cfg);
  },
  plan(ctx) {
    const p = ctx.provider.plan();
    return [
      ...p.commands.map((c) => `run: ${c.join(' ')}`),
      ...p.files.map((f) => `write ${f.path}:\n${f.content.replace(/^/gm, '    ')}`),
      ...p.notes,
      `record the spec in ConfigMap ${SPEC_CONFIGMAP.namespace}/${SPEC_CONFIGMAP.name}`,
    ];
  },
};

/** Record which lab is up, so later commands default to it (see config.ts readActiveLab). */
export function rememberActiveLab(cfg: LabConfig): void {
  const file = activeLabFile(cfg.root);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ provider: cfg.provider, clusterName: cfg.clusterName })}\n`);
}
