// The observability stack's Helm releases, one step each, in install order. Which ones a profile
// installs: lab/observability/profiles.ts. Kiali comes last: it reads Prometheus, Grafana and Jaeger.
import { chartStep } from './chart.ts';
import type { Step } from './types.ts';

export const prometheusStackStep: Step = chartStep({
  key: 'prometheusStack',
  title: 'kube-prometheus-stack (Prometheus, Alertmanager, Grafana, node-exporter, kube-state-metrics)',
  needs: ['cluster', 'node-groups', 'observability'],
});
export const jaegerStep: Step = chartStep({ key: 'jaeger', title: 'Jaeger v2 (in-memory; receives the mesh\'s OTLP traces)', needs: ['cluster', 'node-groups'] });
export const lokiStep: Step = chartStep({ key: 'loki', title: 'Loki (single binary, filesystem storage)', needs: ['cluster', 'node-groups'] });
export const alloyStep: Step = chartStep({ key: 'alloy', title: 'Alloy (ships every pod\'s logs to Loki)', needs: ['loki'] });
export const kialiStep: Step = chartStep({ key: 'kiali', title: 'Kiali (anonymous; Prometheus, Grafana and Jaeger wired in)', needs: ['istio', 'kube-prometheus-stack', 'jaeger'] });
