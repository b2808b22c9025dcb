// The real Flagger controller and its loadtester (github.com/fluxcd/flagger, built by the testenv from
// its Go module) run out of cluster against a sim API server, each in its own network namespace
// (lab/testenv/own-network.ts): both serve on ":" + -port and have no bind-address flag.
// Flags read from cmd/flagger/main.go and cmd/loadtester/main.go at v1.44.0:
//   flagger: -kubeconfig, -mesh-provider, -metrics-server, -namespace, -control-loop-interval,
//     -log-level, -enable-leader-election (default false), -port (8080: /healthz, /metrics),
//     -zap-encoding (json | console), -enable-config-tracking, -selector-labels.
//     It exits at start unless the flagger.app CRDs are served; /healthz answers once its Canary,
//     MetricTemplate and AlertProvider informers have synced.
//   loadtester: -port (9090), -log-level, -timeout, -namespace-regexp, -zap-encoding. Its API:
//     POST / (a webhook: metadata.type cmd | bash | kubectl | helm…), /gate/{check,open,close,approve,halt},
//     /rollback/{check,open,close}, GET /healthz.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { LabError } from '../errors.ts';
import { testenvBinDir } from './paths.ts';
import { startInOwnNetwork, type OwnNetworkProcess } from './own-network.ts';

export const FLAGGER_BINARY = 'flagger';
export const LOADTESTER_BINARY = 'loadtester';
/** The ports they listen on inside their namespaces (their defaults). */
const FLAGGER_PORT = 8080;
const LOADTESTER_PORT = 9090;

export interface FlaggerOptions {
  kubeconfig: string;
  /** Written as current-context into a private copy of the kubeconfig. */
  context: string;
  /** Prometheus on 127.0.0.1 (http://127.0.0.1:PORT): Flagger's -metrics-server. */
  metricsServer: string;
  /** Watch only this namespace (-namespace); default all. */
  namespace?: string;
  /** -control-loop-interval, e.g. '2s'. Flagger runs a canary every its own .spec.analysis.interval;
   * this is how often the controller looks at canaries, so it bounds how late a step can be. */
  interval: string;
  /** Further host ports on 127.0.0.1 Flagger's webhooks may call (a loadtester's, a test's). */
  reach?: number[];
  /** -log-level, default info. */
  logLevel?: 'debug' | 'info' | 'warning' | 'error';
  binDir?: string;
}

export interface RunningFlagger {
  args: string[];
  /** http://127.0.0.1:<port> on the host: /healthz, /metrics (flagger_canary_status, flagger_canary_weight…). */
  url: string;
  /** Everything Flagger logged so far (JSON lines). */
  logs(): string;
  stop(): Promise<void>;
}

export interface LoadtesterOptions {
  /** Host ports on 127.0.0.1 the commands it runs may reach. */
  reach?: number[];
  /** -namespace-regexp: only canaries of matching namespaces are served. */
  namespaceRegexp?: string;
  binDir?: string;
}

export interface RunningLoadtester {
  /** http://127.0.0.1:<port> on the host: where webhooks and gate calls go. */
  url: string;
  port: number;
  logs(): string;
  stop(): Promise<void>;
}

function binary(name: string, binDir?: string): string {
  const bin = join(binDir ?? testenvBinDir(), name);
  if (!existsSync(bin)) throw new LabError(`${bin} is missing`, { detail: `build it with: npx tsx scripts/testenv.ts build --only ${FLAGGER_BINARY},${LOADTESTER_BINARY}` });
  return bin;
}

const portOf = (url: string, what: string) => {
  const u = new URL(url);
  if (u.hostname !== '127.0.0.1') throw new LabError(`${what} ${url} is not on 127.0.0.1: Flagger runs in its own network namespace and reaches only 127.0.0.1 ports`);
  return Number(u.port || (u.protocol === 'https:' ? 443 : 80));
};

/** Flagger's argv for one run out of cluster. */
export function flaggerArgs(o: { kubeconfig: string; metricsServer: string; namespace?: string; interval: string; logLevel?: string }): string[] {
  return [
    `-kubeconfig=${o.kubeconfig}`,
    '-mesh-provider=istio',
    `-metrics-server=${o.metricsServer}`,
    ...(o.namespace ? [`-namespace=${o.namespace}`] : []),
    `-control-loop-interval=${o.interval}`,
    `-log-level=${o.logLevel ?? 'info'}`,
    '-enable-leader-election=false',
    `-port=${FLAGGER_PORT}`,
  ];
}

/** Poll `url` until it answers 200, the process dies, or `ms` pass. */
async function waitHealthy(p: OwnNetworkProcess, url: string, what: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    if (!p.running()) throw new LabError(`${what} exited before it was ready`, { detail: p.output().trim().split('\n').slice(-20).join('\n') });
    if (await fetch(url).then((r) => r.ok, () => false)) return;
    if (Date.now() > until) throw new LabError(`${what} did not answer ${url} within ${ms / 1000} s`, { detail: p.output().trim().split('\n').slice(-20).join('\n') });
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** `result` once `ready` resolves; `stop` and rethrow when it fails. */
async function started<T>(ready: Promise<void>, stop: () => Promise<void>, result: () => T): Promise<T> {
  try {
    await ready;
    return result();
  } catch (e) {
    await stop();
    throw e;
  }
}

/** Start Flagger against `context` and return once its /healthz answers (its informers have synced). */
export async function startFlagger(o: FlaggerOptions): Promise<RunningFlagger> {
  const bin = binary(FLAGGER_BINARY, o.binDir);
  const kc = new KubeConfig();
  kc.loadFromFile(o.kubeconfig);
  if (!kc.getContexts().some((c) => c.name === o.context)) throw new LabError(`context ${o.context} is not in ${o.kubeconfig}`);
  kc.setCurrentContext(o.context);
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new LabError(`context ${o.context} in ${o.kubeconfig} names no cluster server`);
  const dir = mkdtempSync(join(tmpdir(), 'lab-flagger-'));
  const ownKubeconfig = join(dir, 'kubeconfig');
  writeFileSync(ownKubeconfig, kc.exportConfig(), { mode: 0o600 });
  const args = flaggerArgs({ ...o, kubeconfig: ownKubeconfig });
  const reach = [...new Set([portOf(server, 'the API server'), portOf(o.metricsServer, 'the metrics server'), ...(o.reach ?? [])])];
  let p: OwnNetworkProcess;
  try {
    p = await startInOwnNetwork({ bin, args, reach, expose: [FLAGGER_PORT] });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const url = `http://127.0.0.1:${p.ports[FLAGGER_PORT]}`;
  const stop = async () => { await p.stop(); rmSync(dir, { recursive: true, force: true }); };
  return started(waitHealthy(p, `${url}/healthz`, 'flagger', 60_000), stop, () => ({ args, url, logs: p.output, stop }));
}

/** Start the loadtester's webhook server and return once its /healthz answers. */
export async function startLoadtester(o: LoadtesterOptions = {}): Promise<RunningLoadtester> {
  const bin = binary(LOADTESTER_BINARY, o.binDir);
  const args = [`-port=${LOADTESTER_PORT}`, '-log-level=info', ...(o.namespaceRegexp ? [`-namespace-regexp=${o.namespaceRegexp}`] : [])];
  const p = await startInOwnNetwork({ bin, args, reach: o.reach ?? [], expose: [LOADTESTER_PORT] });
  const port = p.ports[LOADTESTER_PORT];
  const url = `http://127.0.0.1:${port}`;
  const stop = () => p.stop();
  return started(waitHealthy(p, `${url}/healthz`, 'loadtester', 20_000), stop, () => ({ url, port, logs: p.output, stop }));
}
