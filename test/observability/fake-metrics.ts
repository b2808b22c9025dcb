// A small Prometheus-text-format metrics endpoint on 127.0.0.1 for the real-Prometheus tests:
// counters, gauges and classic histograms, rendered on every scrape. Fakes of an istio-proxy's merged
// metrics, istiod and the kubelet's cAdvisor endpoint are built on it. Each can misbehave: answer
// with an HTTP error, or leave labels out of everything it serves.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Labels = Record<string, string>;

interface Family { type: 'counter' | 'gauge' | 'histogram'; help: string; buckets?: number[] }
interface Histo { buckets: number[]; sum: number; count: number }

/** Counters, gauges and histograms keyed by metric name and label set. */
export class MetricSet {
  private readonly families = new Map<string, Family>();
  private readonly values = new Map<string, Map<string, { labels: Labels; value: number | Histo }>>();

  define(name: string, type: Family['type'], help: string, buckets?: number[]): this {
    this.families.set(name, { type, help, buckets });
    if (!this.values.has(name)) this.values.set(name, new Map());
    return this;
  }

  private entry(name: string, labels: Labels) {
    const fam = this.families.get(name);
    if (!fam) throw new Error(`metric ${name} is not defined`);
    const series = this.values.get(name)!;
    const key = JSON.stringify(Object.entries(labels).sort());
    let e = series.get(key);
    if (!e) {
      e = { labels, value: fam.type === 'histogram' ? { buckets: fam.buckets!.map(() => 0), sum: 0, count: 0 } : 0 };
      series.set(key, e);
    }
    return { fam, e };
  }

  inc(name: string, labels: Labels, by = 1): void {
    const { e } = this.entry(name, labels);
    (e.value as number) += by;
  }

  set(name: string, labels: Labels, value: number): void {
    this.entry(name, labels).e.value = value;
  }

  observe(name: string, labels: Labels, value: number): void {
    const { fam, e } = this.entry(name, labels);
    const h = e.value as Histo;
    fam.buckets!.forEach((le, i) => { if (value <= le) h.buckets[i] += 1; });
    h.sum += value;
    h.count += 1;
  }

  /** The exposition text; `drop` leaves those labels out (a misbehaving exporter). */
  render(drop: string[] = []): string {
    const out: string[] = [];
    const fmt = (labels: Labels) => {
      const kept = Object.entries(labels).filter(([k]) => !drop.includes(k));
      return kept.length ? `{${kept.map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',')}}` : '';
    };
    for (const [name, fam] of this.families) {
      out.push(`# HELP ${name} ${fam.help}`, `# TYPE ${name} ${fam.type}`);
      for (const { labels, value } of this.values.get(name)!.values()) {
        if (typeof value === 'number') { out.push(`${name}${fmt(labels)} ${value}`); continue; }
        fam.buckets!.forEach((le, i) => out.push(`${name}_bucket${fmt({ ...labels, le: String(le) })} ${value.buckets[i]}`));
        out.push(`${name}_bucket${fmt({ ...labels, le: '+Inf' })} ${value.count}`, `${name}_sum${fmt(labels)} ${value.sum}`, `${name}_count${fmt(labels)} ${value.count}`);
      }
    }
    return `${out.join('\n')}\n`;
  }
}

export interface Misbehaviour {
  /** Answer every scrape with this HTTP status instead of the metrics. */
  status?: number;
  /** Leave these labels out of every series. */
  dropLabels?: string[];
}

export interface MetricsServer {
  url: string;
  port: number;
  /** How many scrapes were answered. */
  scrapes(): number;
  stop(): Promise<void>;
}

/** Serve `metrics` at `path`; `beforeScrape` runs first (counters that grow between scrapes). */
export async function serveMetrics(opts: { path: string; metrics: MetricSet; beforeScrape?: () => void; misbehave?: Misbehaviour }): Promise<MetricsServer> {
  let scrapes = 0;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== opts.path) { res.writeHead(404).end('not found\n'); return; }
    if (opts.misbehave?.status) { res.writeHead(opts.misbehave.status).end('unavailable\n'); return; }
    opts.beforeScrape?.();
    scrapes += 1;
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(opts.metrics.render(opts.misbehave?.dropLabels));
  });
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, '127.0.0.1', () => resolve()); });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}${opts.path}`,
    port,
    scrapes: () => scrapes,
    stop: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
