// Sock-shop (microservices-demo) for the mesh exercises: the objects are manifests/sock-shop (what
// differs from upstream and why is written there); this applies the one setting that changes them.
import type { KubernetesObject, V1Deployment } from '@kubernetes/client-node';
import { loadManifests, pick } from '../manifests.ts';

export const SOCK_SHOP_NAMESPACE = 'sock-shop';

export interface SockShopOptions {
  /** LAB_FRONTEND_V2_IMAGE; default the manifest's (v1's image, labelled v2). */
  frontEndV2Image?: string;
}

/** Sock-shop as plain objects: Namespace, 15 Deployments, 14 Services, Gateway, VirtualService, DestinationRule. */
export function renderSockShop(opts: SockShopOptions = {}): KubernetesObject[] {
  const objs = loadManifests('sock-shop');
  if (opts.frontEndV2Image) pick<V1Deployment>(objs, 'Deployment', 'front-end-v2').spec!.template.spec!.containers[0].image = opts.frontEndV2Image;
  return objs;
}
