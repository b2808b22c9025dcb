// The Istio install the lab wants, as one IstioOperator: demo profile; the ingress gateway as a
// NodePort Service on the fixed ports the kind config maps to 127.0.0.1, pinned to the `ingress`
// node group; istiod on `system`; access logs on; an OTLP tracing provider pointing at the Jaeger
// collector (installed by the observability step); laptop-sized resources.
import type { KubernetesObject } from '@kubernetes/client-node';
import { NODEGROUP_LABEL } from '../config-keys.ts';
import { MANAGED_BY } from '../kube.ts';
import { INGRESS_NODEPORTS } from '../providers/kind-config.ts';
import { ISTIO } from '../versions.ts';

export const ISTIO_NAMESPACE = 'istio-system';
export const JAEGER_OTLP = { service: 'jaeger-collector.istio-system.svc.cluster.local', port: 4317 };

export function istioOperator(): KubernetesObject {
  return {
    apiVersion: 'install.istio.io/v1alpha1',
    kind: 'IstioOperator',
    metadata: { name: 'lab', namespace: ISTIO_NAMESPACE },
    spec: {
      profile: 'demo',
      hub: ISTIO.hub,
      tag: ISTIO.version,
      meshConfig: {
        accessLogFile: '/dev/stdout',
        enableTracing: true,
        extensionProviders: [{ name: 'jaeger', opentelemetry: { service: JAEGER_OTLP.service, port: JAEGER_OTLP.port } }],
      },
      components: {
        pilot: {
          k8s: {
            nodeSelector: { [NODEGROUP_LABEL]: 'system' },
            resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } },
          },
        },
        ingressGateways: [
          {
            name: 'istio-ingressgateway',
            enabled: true,
            k8s: {
              nodeSelector: { [NODEGROUP_LABEL]: 'ingress' },
              resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '512Mi' } },
              service: {
                type: 'NodePort',
                // The list replaces the profile's; every port the gateway should have is here.
                ports: [
                  { name: 'status-port', port: 15021, targetPort: 15021 },
                  { name: 'http2', port: 80, targetPort: 8080, nodePort: INGRESS_NODEPORTS.http },
                  { name: 'https', port: 443, targetPort: 8443, nodePort: INGRESS_NODEPORTS.https },
                ],
              },
            },
          },
        ],
        egressGateways: [{ name: 'istio-egressgateway', enabled: false }],
      },
      values: {
        global: { proxy: { resources: { requests: { cpu: '10m', memory: '40Mi' }, limits: { memory: '256Mi' } } } },
        pilot: { traceSampling: 100 },
      },
    },
  } as KubernetesObject;
}

/** Mesh-wide Telemetry: send traces to the `jaeger` provider declared in meshConfig. */
export function meshTelemetry(): KubernetesObject {
  return {
    apiVersion: 'telemetry.istio.io/v1',
    kind: 'Telemetry',
    metadata: { name: 'mesh-default', namespace: ISTIO_NAMESPACE, labels: { ...MANAGED_BY } },
    spec: { tracing: [{ providers: [{ name: 'jaeger' }], randomSamplingPercentage: 100 }] },
  } as KubernetesObject;
}
