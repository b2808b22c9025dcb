// Saving and restoring what an exercise changes. Before any write, the live objects are recorded
// from the API; cleanup re-applies exactly those (server-side apply, the lab's field manager, the
// complete object, so fields the exercise added are dropped) and deletes the ones that did not
// exist. Then it reads them back: spec, labels and annotations must equal what was recorded.
import type { KubernetesObject } from '@kubernetes/client-node';
import { describeRef, type ObjRef } from '../kube-refs.ts';
import type { MeshOps } from './mesh-ops-types.ts';
import type { AssertionResult } from './types.ts';

/** Written by controllers, not by whoever applies the object: never re-applied, never compared. */
export const CONTROLLER_ANNOTATIONS = ['deployment.kubernetes.io/revision'];

const keyOf = (r: ObjRef) => `${r.apiVersion}/${r.kind}/${r.namespace ?? ''}/${r.name}`;

function ownAnnotations(o: KubernetesObject): Record<string, string> | undefined {
  const a = { ...(o.metadata?.annotations ?? {}) };
  for (const k of CONTROLLER_ANNOTATIONS) delete a[k];
  return Object.keys(a).length > 0 ? a : undefined;
}

/** The complete object to re-apply: everything but status and server-written metadata. */
export function restoreForm(live: KubernetesObject): KubernetesObject {
  const { status: _status, metadata, ...rest } = structuredClone(live) as KubernetesObject & { status?: unknown };
  const labels = metadata?.labels && Object.keys(metadata.labels).length > 0 ? metadata.labels : undefined;
  const annotations = ownAnnotations(live);
  return {
    ...rest,
    metadata: { name: metadata?.name, namespace: metadata?.namespace, ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) },
  };
}

/** What must come back exactly: every top-level field but metadata/status, plus labels and annotations. */
export function stateOf(o: KubernetesObject): Record<string, unknown> {
  const { status: _s, metadata, apiVersion: _a, kind: _k, ...rest } = o as KubernetesObject & { status?: unknown };
  return { ...rest, labels: metadata?.labels ?? {}, annotations: ownAnnotations(o) ?? {} };
}

/** Paths where two JSON values differ, e.g. "spec.http[0].route[0].weight: 100 → 80" (at most `max`). */
export function jsonDiff(before: unknown, after: unknown, path = '', max = 8, out: string[] = []): string[] {
  if (out.length >= max) return out;
  const show = (v: unknown) => (v === undefined ? '(absent)' : JSON.stringify(v).slice(0, 80));
  if (Array.isArray(before) && Array.isArray(after)) {
    for (let i = 0; i < Math.max(before.length, after.length); i++) jsonDiff(before[i], after[i], `${path}[${i}]`, max, out);
  } else if (isRecord(before) && isRecord(after)) {
    for (const k of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
      jsonDiff(before[k], after[k], path ? `${path}.${k}` : k, max, out);
    }
  } else if (JSON.stringify(before) !== JSON.stringify(after)) {
    out.push(`${path || '(root)'}: ${show(before)} → ${show(after)}`);
  }
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

interface Entry {
  ref: ObjRef;
  live: KubernetesObject | undefined;
}

/** The objects one exercise run recorded, in recording order. */
export class Snapshot {
  private readonly entries = new Map<string, Entry>();

  /** Record each ref once; a later save of the same ref keeps the first (pre-exercise) state. */
  async save(ops: MeshOps, refs: ObjRef[]): Promise<void> {
    for (const ref of refs) {
      if (this.entries.has(keyOf(ref))) continue;
      this.entries.set(keyOf(ref), { ref, live: await ops.get(ref) });
    }
  }

  saved(ref: ObjRef): KubernetesObject | undefined {
    const live = this.entries.get(keyOf(ref))?.live;
    return live ? structuredClone(live) : undefined;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Restore in reverse order; one assertion per object. Errors become failed assertions, never throws. */
  async restore(ops: MeshOps): Promise<AssertionResult[]> {
    const out: AssertionResult[] = [];
    for (const { ref, live } of [...this.entries.values()].reverse()) {
      const what = describeRef(ref);
      try {
        if (live) {
          await ops.apply([restoreForm(live)]);
          const now = await ops.get(ref);
          const diff = now ? jsonDiff(stateOf(live), stateOf(now)) : ['the object is gone'];
          out.push({
            name: `${what} restored exactly`,
            status: diff.length === 0 ? 'pass' : 'fail',
            expected: 'spec, labels and annotations equal to the recorded pre-exercise object',
            actual: diff.length === 0 ? 'equal' : `differs: ${diff.join('; ')}`,
            numbers: { differences: diff.length },
          });
        } else {
          await ops.delete(ref);
          const now = await ops.get(ref);
          const gone = !now || Boolean(now.metadata?.deletionTimestamp);
          out.push({
            name: `${what} (created by the exercise) deleted`,
            status: gone ? 'pass' : 'fail',
            expected: 'absent, as before the exercise',
            actual: gone ? 'absent' : 'still present',
            numbers: {},
          });
        }
      } catch (err) {
        out.push({ name: `${what} restored exactly`, status: 'fail', expected: 'restored', actual: null, numbers: {}, reason: `restoring ${what}: ${(err as Error).message}` });
      }
    }
    return out;
  }
}
