// A fake kubelet cAdvisor endpoint (/metrics/cadvisor): per-container CPU and memory with the
// namespace, pod and container labels the kubelet puts on them (kube-prometheus-stack scrapes it
// with its own kubelet ServiceMonitor and honorLabels: true, so those labels are kept as served).
// CPU seconds grow on every scrape; memory wanders; both from a seeded random source.
import { seededRandom } from '../seeded-random.ts';
import { MetricSet, serveMetrics, type MetricsServer, type Misbehaviour } from './fake-metrics.ts';

export interface ContainerRef { namespace: string; pod: string; container: string }

export async function startKubeletMetrics(opts: { seed: number; containers: ContainerRef[]; misbehave?: Misbehaviour }): Promise<MetricsServer> {
  const random = seededRandom(opts.seed);
  const m = new MetricSet()
    .define('container_cpu_usage_seconds_total', 'counter', 'Cumulative cpu time consumed in seconds.')
    .define('container_memory_working_set_bytes', 'gauge', 'Current working set in bytes.');
  const beforeScrape = () => {
    for (const c of opts.containers) {
      const labels = { ...c, id: `/kubepods/${c.pod}/${c.container}`, image: `${c.container}:lab` };
      m.inc('container_cpu_usage_seconds_total', labels, 0.005 + random() * 0.02);
      m.set('container_memory_working_set_bytes', labels, Math.round(30e6 + random() * 20e6));
    }
  };
  return serveMetrics({ path: '/metrics/cadvisor', metrics: m, beforeScrape, misbehave: opts.misbehave });
}
