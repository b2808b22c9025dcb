// A fake istiod monitoring endpoint (:15014/metrics): the pilot_* series Istio 1.30 exports (its
// OpenTelemetry exporter drops the _total and unit suffixes: pilot_xds_pushes, not
// pilot_xds_pushes_total; pilot_proxy_convergence_time, not …_seconds) and Go's go_goroutines.
// Pushes and convergence observations grow on every scrape, drawn from a seeded random source.
import { seededRandom } from '../seeded-random.ts';
import { MetricSet, serveMetrics, type MetricsServer, type Misbehaviour } from './fake-metrics.ts';

// Buckets of pilot_proxy_convergence_time in pilot/pkg/xds/monitoring.go (seconds).
const CONVERGENCE_BUCKETS = [0.1, 0.5, 1, 3, 5, 10, 20, 30];

export async function startIstiodMetrics(opts: { seed: number; proxies: number; misbehave?: Misbehaviour }): Promise<MetricsServer> {
  const random = seededRandom(opts.seed);
  const m = new MetricSet()
    .define('pilot_xds', 'gauge', 'Number of endpoints connected to this pilot using XDS.')
    .define('pilot_services', 'gauge', 'Total services known to pilot.')
    .define('pilot_xds_pushes', 'counter', 'Pilot build and send errors for lds, rds, cds and eds.')
    .define('pilot_push_triggers', 'counter', 'Total number of times a push was triggered, labeled by reason for the push.')
    .define('pilot_proxy_convergence_time', 'histogram', 'Delay in seconds between config change and a proxy receiving all required configuration.', CONVERGENCE_BUCKETS)
    .define('go_goroutines', 'gauge', 'Number of goroutines that currently exist.');
  const beforeScrape = () => {
    m.set('pilot_xds', { version: '1.30.4' }, opts.proxies);
    m.set('pilot_services', {}, 14);
    for (const type of ['cds', 'eds', 'lds', 'rds']) m.inc('pilot_xds_pushes', { type }, 1 + Math.floor(random() * opts.proxies));
    for (const type of ['config', 'endpoint', 'proxy']) m.inc('pilot_push_triggers', { type }, 1 + Math.floor(random() * 3));
    for (let i = 0; i < opts.proxies; i += 1) m.observe('pilot_proxy_convergence_time', {}, 0.02 + random() * 0.6);
    m.set('go_goroutines', {}, 400 + Math.floor(random() * 50));
  };
  return serveMetrics({ path: '/metrics', metrics: m, beforeScrape, misbehave: opts.misbehave });
}
