// The Istio install the lab wants: manifests/istio/istio-operator.yaml, given to `istioctl install
// -f` (demo profile; the ingress gateway as a NodePort Service on the ports the kind config maps
// to 127.0.0.1, on the `ingress` node group; istiod on `system`; access logs; the OTLP tracing
// provider `jaeger`; laptop-sized resources), and manifests/istio (the mesh-wide Telemetry).
import type { KubernetesObject } from '@kubernetes/client-node';
import { loadFile, loadManifests, pick } from '../manifests.ts';

export const ISTIO_NAMESPACE = 'istio-system';

export function istioOperator(): KubernetesObject {
  return loadFile('istio/istio-operator.yaml')[0];
}

/** Mesh-wide Telemetry: send traces to the `jaeger` provider declared in meshConfig. */
export function meshTelemetry(): KubernetesObject {
  return pick(loadManifests('istio'), 'Telemetry');
}
