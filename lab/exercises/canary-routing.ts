// What Flagger makes of the Canary, and how to read its routing back. The objects are written from
// fluxcd/flagger@v1.44.0's code, not copied from it: pkg/canary/deployment_controller.go
// (createPrimaryDeployment: the target's template with app=<name>-primary and a flagger-id
// annotation, selector app=<name>-primary), pkg/router/kubernetes_default.go (reconcileService:
// Services <name>-primary / <name>-canary created with one port and selector app=…, the existing
// Service <name> given that port and selector app=<name>-primary), pkg/router/istio.go
// (reconcileDestinationRule: host only; reconcileVirtualService: the Canary's hosts and gateways,
// one http route to <name>-primary 100 and <name>-canary 0, hosts without a port when
// portDiscovery is off). They are what `istioctl analyze` checks as the exercise's Istio side; a
// test on sim compares them with what the real Flagger wrote.
import type { KubernetesObject, V1Deployment, V1Service } from '@kubernetes/client-node';
import { ISTIO_NETWORKING, routesOf } from './front-end-mesh.ts';
import { CANARY_SERVICE, PRIMARY, SELECTOR_LABEL, TARGET, type CanaryObject } from './canary-spec.ts';
import { restoreForm } from './snapshot.ts';

/** host → weight, as Flagger's VirtualService routes it ({"front-end-primary": 100, "front-end-canary": 0}). */
export function hostWeights(vs: KubernetesObject | undefined): Record<string, number> {
  return vs ? Object.fromEntries(routesOf(vs).map((r) => [r.destination.host, r.weight ?? 0])) : {};
}

export function describeHostWeights(w: Record<string, number>): string {
  const entries = Object.entries(w);
  return entries.length === 0 ? 'no routes' : entries.map(([h, v]) => `${h}=${v}`).join(', ');
}

/** The Service selector as "app=front-end-primary". */
export function describeSelector(svc: KubernetesObject | undefined): string {
  const sel = (svc as V1Service | undefined)?.spec?.selector ?? {};
  return Object.entries(sel).map(([k, v]) => `${k}=${v}`).join(',') || '(none)';
}

const swapSelector = (labels: Record<string, string> | undefined, value: string) => ({ ...labels, [SELECTOR_LABEL]: value });

function service(c: CanaryObject, name: string, selectorValue: string, base?: KubernetesObject): V1Service {
  const s = c.spec.service;
  const port = { name: s.portName ?? 'http', protocol: 'TCP', port: s.port, targetPort: s.targetPort ?? s.port };
  if (base) {
    const svc = restoreForm(base) as V1Service;
    return { ...svc, spec: { ...svc.spec, ports: [port], selector: { [SELECTOR_LABEL]: selectorValue } } };
  }
  return {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name, namespace: c.metadata!.namespace, labels: { [SELECTOR_LABEL]: name } },
    spec: { type: 'ClusterIP', ports: [port], selector: { [SELECTOR_LABEL]: selectorValue } },
  };
}

/** Flagger's VirtualService for the Canary (taking over the lab's of the same name), at these weights. */
export function flaggerVirtualService(c: CanaryObject, primaryWeight = 100, canaryWeight = 0): KubernetesObject {
  return {
    apiVersion: ISTIO_NETWORKING, kind: 'VirtualService',
    metadata: { name: TARGET, namespace: c.metadata!.namespace },
    spec: {
      hosts: c.spec.service.hosts ?? [TARGET],
      gateways: c.spec.service.gateways ?? ['mesh'],
      http: [{ route: [{ destination: { host: PRIMARY }, weight: primaryWeight }, { destination: { host: CANARY_SERVICE }, weight: canaryWeight }] }],
    },
  } as KubernetesObject;
}

/** The primary Deployment Flagger creates from the target's current template. */
export function primaryFrom(c: CanaryObject, target: KubernetesObject): V1Deployment {
  const t = restoreForm(target) as V1Deployment;
  const tpl = structuredClone(t.spec!.template);
  tpl.metadata = { ...tpl.metadata, labels: swapSelector(tpl.metadata?.labels, PRIMARY), annotations: { ...tpl.metadata?.annotations, 'flagger-id': 'predicted' } };
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: PRIMARY, namespace: c.metadata!.namespace, labels: swapSelector(t.metadata?.labels, PRIMARY) },
    spec: { replicas: Math.max(1, t.spec?.replicas ?? 1), selector: { matchLabels: { [SELECTOR_LABEL]: PRIMARY } }, template: tpl },
  };
}

/** Everything on the Istio side once Flagger has initialised the Canary: the routing objects, the
 * three Services (the lab's Service front-end rewritten) and the primary. */
export function flaggerObjects(c: CanaryObject, target: KubernetesObject, labService: KubernetesObject): KubernetesObject[] {
  const dr = (host: string): KubernetesObject => ({ apiVersion: ISTIO_NETWORKING, kind: 'DestinationRule', metadata: { name: host, namespace: c.metadata!.namespace }, spec: { host } } as KubernetesObject);
  return [
    primaryFrom(c, target),
    service(c, TARGET, PRIMARY, labService),
    service(c, PRIMARY, PRIMARY),
    service(c, CANARY_SERVICE, TARGET),
    dr(CANARY_SERVICE),
    dr(PRIMARY),
    flaggerVirtualService(c),
  ];
}
