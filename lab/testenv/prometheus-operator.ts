// The real prometheus-operator (built by the testenv from its Go module) run out of cluster against a
// sim API server, and the Prometheus configuration it generates, read back from the Secret it writes.
// Flags from cmd/operator/main.go at v0.93.0: there is no --kubeconfig flag, but the KUBECONFIG
// variable is honoured (pkg/k8s/k8s.go NewClusterConfig); the kubelet endpoints controller only runs
// with --kubelet-service, which is left unset (it needs kubelets); the admission webhooks are only
// handlers on the operator's own web server, which listens on 127.0.0.1 here.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { KubeConfig, type V1Secret } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { LabError } from '../errors.ts';
import type { Kube } from '../kube.ts';
import { testenvBinDir } from './paths.ts';

export const OPERATOR_BINARY = 'prometheus-operator';
/** The key of the operator's config Secret (pkg/prometheus/common.go ConfigFilename). */
export const CONFIG_KEY = 'prometheus.yaml.gz';

/** The Secret holding a Prometheus CR's generated config: prometheus-<name> (common.go ConfigSecretName). */
export const configSecretName = (prometheus: string) => `prometheus-${prometheus}`;

export interface OperatorOptions {
  kubeconfig: string;
  /** The context to use; written as current-context into a private copy of the kubeconfig. */
  context: string;
  binDir?: string;
  /** Extra operator flags (e.g. --namespaces=monitoring). */
  extraArgs?: string[];
}

export interface RunningOperator {
  args: string[];
  /** http://127.0.0.1:<port> — /healthz, /metrics. */
  url: string;
  /** Everything the operator logged so far. */
  output(): string;
  /** SIGTERM, then SIGKILL after 10 s; resolves once it has exited. Safe to call twice. */
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** The operator's argv: what it needs to run outside a cluster, nothing more. */
export function operatorArgs(port: number, extra: string[] = []): string[] {
  return [
    `--web.listen-address=127.0.0.1:${port}`,
    '--log-format=logfmt',
    '--log-level=info',
    ...extra,
  ];
}

const exitedOf = (child: ChildProcess) => new Promise<void>((resolve) => {
  if (child.exitCode !== null || child.signalCode !== null) resolve();
  else child.once('exit', () => resolve());
});

/** Start the operator and return once its web server answers /healthz (its controllers are set up by then). */
export async function startPrometheusOperator(o: OperatorOptions): Promise<RunningOperator> {
  const bin = join(o.binDir ?? testenvBinDir(), OPERATOR_BINARY);
  if (!existsSync(bin)) throw new LabError(`${bin} is missing`, { detail: 'build it with: npx tsx scripts/testenv.ts build --only prometheus-operator' });
  const kc = new KubeConfig();
  kc.loadFromFile(o.kubeconfig);
  if (!kc.getContexts().some((c) => c.name === o.context)) throw new LabError(`context ${o.context} is not in ${o.kubeconfig}`);
  kc.setCurrentContext(o.context);
  const dir = mkdtempSync(join(tmpdir(), 'lab-prom-operator-'));
  const ownKubeconfig = join(dir, 'kubeconfig');
  writeFileSync(ownKubeconfig, kc.exportConfig(), { mode: 0o600 });

  const port = await freePort();
  const args = operatorArgs(port, o.extraArgs);
  const child = spawn(bin, args, { env: { ...process.env, KUBECONFIG: ownKubeconfig }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = exitedOf(child);
  let stopped = false;
  const stop = async () => {
    if (!stopped) {
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    }
    await exited;
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new LabError(`prometheus-operator exited (${child.exitCode ?? child.signalCode}) before it was ready`, { detail: out.trim().split('\n').slice(-20).join('\n') });
    }
    const ok = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      await stop();
      throw new LabError('prometheus-operator did not answer /healthz within 60s', { detail: out.trim().split('\n').slice(-20).join('\n') });
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { args, url, output: () => out, stop };
}

export interface GeneratedConfig {
  scrape_configs?: Array<Record<string, unknown> & { job_name: string }>;
  [key: string]: unknown;
}

/** The gunzipped, parsed prometheus.yaml of a Secret, or undefined when it has none (yet). */
export function configOf(secret: V1Secret | undefined): GeneratedConfig | undefined {
  const b64 = secret?.data?.[CONFIG_KEY];
  if (!b64) return undefined;
  return parse(gunzipSync(Buffer.from(b64, 'base64')).toString('utf8')) as GeneratedConfig;
}

/** Wait for the operator to write the config of Prometheus `namespace/name`, and return it parsed. */
export async function generatedConfig(kube: Kube, namespace: string, name: string, timeoutMs: number): Promise<GeneratedConfig> {
  const secret = await kube.waitFor<V1Secret>(`/api/v1/namespaces/${namespace}/secrets`, configSecretName(name), (s) => !!s.data?.[CONFIG_KEY], timeoutMs, `Secret ${namespace}/${configSecretName(name)} (${CONFIG_KEY})`);
  return configOf(secret)!;
}
