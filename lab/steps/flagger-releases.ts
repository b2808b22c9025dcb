// Flagger and its loadtester, one Helm release step each (which profiles: lab/observability/
// profiles.ts; the values and what they change: manifests/observability/values/flagger*.yaml).
// Flagger starts only with its own CRDs (applied from its chart's crds/ by the release step) and
// Istio's VirtualService and DestinationRule CRDs (the istio step's); it judges canaries by Istio's
// metrics in kube-prometheus-stack's Prometheus, which scrapes the sidecars through the
// mesh-monitors step's PodMonitor (that step, or kube-prometheus-stack's, also brings the
// ServiceMonitor CRD Flagger's chart uses). The loadtester lives in sock-shop, the namespace the
// samples step makes with sidecar injection on.
import { chartStep } from './chart.ts';
import type { Step } from './types.ts';

export const flaggerStep: Step = chartStep({
  key: 'flagger',
  title: 'Flagger (progressive delivery: Istio routes, Prometheus checks)',
  needs: ['cluster', 'node-groups', 'istio', 'kube-prometheus-stack', 'mesh-monitors'],
});
export const flaggerLoadtesterStep: Step = chartStep({
  key: 'flaggerLoadtester',
  title: "Flagger's loadtester (in sock-shop, in the mesh: load for a canary's analysis)",
  needs: ['samples', 'flagger'],
});
