// Helpers to compare desired objects with live ones: "done" means every field we set is already there.
import type { KubernetesObject } from '@kubernetes/client-node';
import { describeRef, refOf, type Kube } from './kube.ts';

/** True when every field in `want` equals the one in `have` (extra fields in `have` are fine). */
export function isSubset(want: unknown, have: unknown): boolean {
  if (want === null || typeof want !== 'object') return want === have || String(want) === String(have);
  if (Array.isArray(want)) {
    return Array.isArray(have) && want.length === have.length && want.every((w, i) => isSubset(w, have[i]));
  }
  if (have === null || typeof have !== 'object' || Array.isArray(have)) return false;
  return Object.entries(want as Record<string, unknown>).every(([k, v]) => isSubset(v, (have as Record<string, unknown>)[k]));
}

/** Names of the objects that are missing or differ from what we would apply. */
export async function driftOf(kube: Kube, objs: KubernetesObject[]): Promise<string[]> {
  const out: string[] = [];
  for (const o of objs) {
    const live = await kube.get(refOf(o));
    if (!live) out.push(`${describeRef(refOf(o))} missing`);
    else if (!isSubset({ metadata: { labels: o.metadata?.labels ?? {} }, ...withoutMeta(o) }, live)) out.push(`${describeRef(refOf(o))} differs`);
  }
  return out;
}

function withoutMeta(o: KubernetesObject): Record<string, unknown> {
  const { metadata: _m, ...rest } = o as unknown as Record<string, unknown>;
  return rest;
}
