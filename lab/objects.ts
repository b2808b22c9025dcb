// "Is this already applied?" asked of the API server itself: a server-side dry-run apply of the
// desired object is compared with the live one. Server defaults and canonical forms (quantities,
// port protocols) are the server's on both sides, so only real differences count.
import type { KubernetesObject } from '@kubernetes/client-node';
import { describeRef, isImmutableRefusal, refOf, type Kube } from './kube.ts';

/** The object without the fields an apply always changes or never owns. */
export function comparable(o: KubernetesObject): unknown {
  const { status: _s, ...rest } = o as KubernetesObject & { status?: unknown };
  const { managedFields: _m, resourceVersion: _r, generation: _g, ...meta } = rest.metadata ?? {};
  return { ...rest, metadata: meta };
}

/** Names of the objects that are missing or that applying would change. */
export async function driftOf(kube: Kube, objs: KubernetesObject[]): Promise<string[]> {
  const out: string[] = [];
  for (const o of objs) {
    const live = await kube.get(refOf(o));
    if (!live) {
      out.push(`${describeRef(refOf(o))} missing`);
      continue;
    }
    let dry: KubernetesObject;
    try {
      [dry] = await kube.dryRunApply([o]);
    } catch (err) {
      // A change the server refuses in place (a Job's pod template) is a difference too: apply replaces it.
      if (isImmutableRefusal((err as Error).cause)) {
        out.push(`${describeRef(refOf(o))} differs (immutable fields: it will be replaced)`);
        continue;
      }
      throw err;
    }
    if (JSON.stringify(comparable(dry)) !== JSON.stringify(comparable(live))) out.push(`${describeRef(refOf(o))} differs`);
  }
  return out;
}
