// Istio networking objects for the samples: an HTTP Gateway on the default ingress gateway, a
// VirtualService with weighted subsets, and a DestinationRule whose subsets select `version`.
import type { KubernetesObject } from '@kubernetes/client-node';
import { MANAGED_BY } from '../kube.ts';

/** networking.istio.io/v1 is GA since Istio 1.22 and what 1.30 stores; v1beta1/v1alpha3 are older aliases. */
export const ISTIO_NETWORKING = 'networking.istio.io/v1';

export interface IstioObject extends KubernetesObject {
  spec: Record<string, unknown>;
}

export interface WeightedRoute {
  host: string;
  subset: string;
  port: number;
  weight: number;
}

export function gateway(ns: string, name: string, hosts: string[]): IstioObject {
  return {
    apiVersion: ISTIO_NETWORKING,
    kind: 'Gateway',
    metadata: { name, namespace: ns, labels: { ...MANAGED_BY } },
    spec: {
      // The lab's ingress gateway carries Istio's conventional label.
      selector: { istio: 'ingressgateway' },
      servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts }],
    },
  };
}

/** Every request from `gateways` for `hosts` goes to `routes`, split by weight (weights sum to 100;
 * a 0 weight keeps a subset wired in, ready for an exercise to shift traffic to it). */
export function virtualService(ns: string, name: string, hosts: string[], gateways: string[], routes: WeightedRoute[]): IstioObject {
  return {
    apiVersion: ISTIO_NETWORKING,
    kind: 'VirtualService',
    metadata: { name, namespace: ns, labels: { ...MANAGED_BY } },
    spec: {
      hosts,
      gateways,
      http: [
        {
          route: routes.map((r) => ({ destination: { host: r.host, subset: r.subset, port: { number: r.port } }, weight: r.weight })),
        },
      ],
    },
  };
}

/** Subsets named after the `version` label they select (v1 → version: v1). */
export function destinationRule(
  ns: string,
  name: string,
  host: string,
  versions: string[],
  trafficPolicy?: Record<string, unknown>,
): IstioObject {
  return {
    apiVersion: ISTIO_NETWORKING,
    kind: 'DestinationRule',
    metadata: { name, namespace: ns, labels: { ...MANAGED_BY } },
    spec: {
      host,
      subsets: versions.map((v) => ({ name: v, labels: { version: v } })),
      ...(trafficPolicy ? { trafficPolicy } : {}),
    },
  };
}
