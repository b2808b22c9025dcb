// "Is this already applied?" asked of the API server itself: a server-side dry-run apply of the
// desired object is compared with the live one. Server defaults and canonical forms (quantities,
// port protocols) are the server's on both sides, so only real differences count.
import type { KubernetesObject } from '@kubernetes/client-node';
import { API_CONCURRENCY, mapLimit } from './concurrency.ts';
import { describeRef, isImmutableRefusal, refOf, type Kube } from './kube.ts';

/** The object without the fields an apply always changes or never owns. */
export function comparable(o: KubernetesObject): unknown {
  const { status: _s, ...rest } = o as KubernetesObject & { status?: unknown };
  const { managedFields: _m, resourceVersion: _r, generation: _g, ...meta } = rest.metadata ?? {};
  return { ...rest, metadata: meta };
}

/** Names of the objects that are missing or that applying would change. */
export async function driftOf(kube: Kube, objs: KubernetesObject[]): Promise<string[]> {
  const each = await mapLimit(objs, API_CONCURRENCY, (o) => driftOfOne(kube, o));
  return each.filter((d): d is string => d !== undefined);
}

/** What is wrong with one object, or undefined when applying it would change nothing. */
async function driftOfOne(kube: Kube, o: KubernetesObject): Promise<string | undefined> {
  const live = await kube.get(refOf(o));
  if (!live) return `${describeRef(refOf(o))} missing`;
  let dry: KubernetesObject;
  try {
    [dry] = await kube.dryRunApply([o]);
  } catch (err) {
    // A change the server refuses in place (a Job's pod template) is a difference too: apply replaces it.
    if (isImmutableRefusal((err as Error).cause)) return `${describeRef(refOf(o))} differs (immutable fields: it will be replaced)`;
    throw err;
  }
  return JSON.stringify(comparable(dry)) !== JSON.stringify(comparable(live)) ? `${describeRef(refOf(o))} differs` : undefined;
}
