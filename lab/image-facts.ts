// Facts about image references, pure: which images an object pulls, whether a reference is
// pinned, and which images are not published for a platform (the table in lab/versions.ts).
import type { KubernetesObject } from '@kubernetes/client-node';
import { IMAGE_PLATFORMS, type Platform } from './versions.ts';

type PodSpecLike = { containers?: Array<{ image?: string }>; initContainers?: Array<{ image?: string }> };

/** Images in the pod templates of one object (Deployment, Job, …), an IstioOperator's control
 * plane and proxies, or a kind Cluster's nodes. */
export function imagesOf(o: KubernetesObject): string[] {
  const spec = (o as { spec?: Record<string, unknown> }).spec ?? {};
  if (o.kind === 'IstioOperator') {
    const { hub, tag } = spec as { hub?: string; tag?: string };
    return hub && tag ? [`${hub}/pilot:${tag}`, `${hub}/proxyv2:${tag}`] : [];
  }
  if (o.kind === 'Cluster' && o.apiVersion?.startsWith('kind.x-k8s.io/')) {
    return ((spec as unknown as { nodes?: Array<{ image?: string }> }).nodes ?? (o as unknown as { nodes?: Array<{ image?: string }> }).nodes ?? [])
      .map((n) => n.image).filter((i): i is string => Boolean(i));
  }
  const pod = ((spec.template as { spec?: PodSpecLike } | undefined)?.spec ?? (o.kind === 'Pod' ? spec : undefined)) as PodSpecLike | undefined;
  return [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])].map((c) => c.image).filter((i): i is string => Boolean(i));
}

/** "tag or digest, never latest": a reference pulls the same bits every time only if pinned. */
export function pinProblem(ref: string): string | undefined {
  if (/@sha256:[0-9a-f]{64}$/.test(ref)) return undefined;
  const tag = /:([\w][\w.-]{0,127})$/.exec(ref.slice(ref.lastIndexOf('/') + 1))?.[1];
  if (!tag) return `${ref} has no tag (it means :latest)`;
  if (tag === 'latest') return `${ref} is :latest, which moves`;
  return undefined;
}

/** Images not published for `platform`, and those the table does not know (an override). */
export function notNative(images: string[], platform: Platform): { missing: string[]; unknown: string[] } {
  const missing: string[] = [];
  const unknown: string[] = [];
  for (const i of images) {
    const fact = IMAGE_PLATFORMS[i];
    if (!fact) unknown.push(i);
    else if (!fact.platforms.includes(platform)) missing.push(i);
  }
  return { missing, unknown };
}
