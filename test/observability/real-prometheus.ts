// A real Prometheus (Debian's prometheus package) on 127.0.0.1 for tests: a random free port, a
// temporary data directory, the scrape configs you give it. Reusable by any test that needs a
// Prometheus to query (the observability exercise runs against one too).
//
//   const prom = await startPrometheus({ scrapeConfigs });   // resolves once /-/ready answers
//   await prom.query('istio_requests_total');                 // instant query → result vector
//   await prom.stop();                                        // SIGTERM (SIGKILL after 3 s), data dir removed
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { prometheusConfig, type ScrapeConfig } from '../../lab/observability/scrape-config.ts';
import { toYaml } from '../../lab/yaml.ts';
import { freePorts } from '../checks/peers.ts';

export const PROMETHEUS_HINT = "run .ci/run, or install Debian's prometheus: apt-get install -y --no-install-recommends prometheus (it may start a service: systemctl disable --now prometheus)";

/** The path of `name` on PATH; throws (never skips) with the install hint when it is missing. */
export function requireBinary(name: 'prometheus' | 'promtool'): string {
  const found = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', name], { encoding: 'utf8' });
  const bin = found.stdout.trim();
  if (found.status !== 0 || !bin) throw new Error(`${name} is required by the observability tests but is not on PATH — ${PROMETHEUS_HINT}`);
  return bin;
}

export interface Sample { metric: Record<string, string>; value: [number, string] }

export interface RunningPrometheus {
  url: string;
  configFile: string;
  /** Instant query at now; throws on an API error (e.g. a PromQL syntax error). */
  query(expr: string): Promise<Sample[]>;
  /** GET an API path (e.g. /api/v1/targets) and return its `data`. */
  api<T = unknown>(pathAndQuery: string): Promise<T>;
  /** Poll `check` until it returns true or `timeoutMs` passes; returns whether it did. */
  waitFor(check: () => Promise<boolean>, timeoutMs?: number): Promise<boolean>;
  /** Prometheus' own output so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  scrapeConfigs: ScrapeConfig[];
  /** Global scrape interval (default 1s, so tests see several scrapes within seconds). */
  interval?: string;
  timeoutMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startPrometheus(opts: StartOptions): Promise<RunningPrometheus> {
  const bin = requireBinary('prometheus');
  const dir = await mkdtemp(path.join(tmpdir(), 'lab-prometheus-'));
  const configFile = path.join(dir, 'prometheus.yml');
  await writeFile(configFile, toYaml(prometheusConfig({ scrapeConfigs: opts.scrapeConfigs, interval: opts.interval ?? '1s' })));
  const [port] = await freePorts(1);
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(bin, [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${path.join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  let spawnError: Error | undefined;
  child.once('error', (e) => { spawnError = e; });

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve) => {
        const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
        child.once('exit', () => { clearTimeout(kill); resolve(); });
        child.kill('SIGTERM');
      });
    }
    await rm(dir, { recursive: true, force: true });
  };

  const api = async <T>(pathAndQuery: string): Promise<T> => {
    const res = await fetch(`${url}${pathAndQuery}`);
    const body = (await res.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`Prometheus ${pathAndQuery}: ${body.error ?? res.status}`);
    return body.data;
  };

  const until = Date.now() + (opts.timeoutMs ?? 15000);
  for (;;) {
    if (spawnError || child.exitCode !== null) {
      await stop();
      throw new Error(`prometheus exited before it was ready (${spawnError?.message ?? `code ${child.exitCode}`}):\n${output}`);
    }
    const ready = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
    if (ready) break;
    if (Date.now() > until) { await stop(); throw new Error(`prometheus not ready on ${url} after ${opts.timeoutMs ?? 15000} ms:\n${output}`); }
    await sleep(100);
  }

  return {
    url,
    configFile,
    api,
    query: async (expr) => (await api<{ resultType: string; result: Sample[] }>(`/api/v1/query?query=${encodeURIComponent(expr)}`)).result,
    waitFor: async (check, timeoutMs = 15000) => {
      const end = Date.now() + timeoutMs;
      while (Date.now() < end) {
        if (await check()) return true;
        await sleep(250);
      }
      return check();
    },
    output: () => output,
    stop,
  };
}
