// A real control plane on 127.0.0.1 with fake (kwok) nodes, from the testenv binaries:
// `kwokctl create cluster --runtime binary` with every component given as a local path.
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { $ } from 'zx';
import { labCacheRoot, testenvBinDir, kwokWorkdir } from './paths.ts';
import { withLock } from './lock.ts';
import { simStages } from './stages.ts';

export interface KwokClusterOptions {
  name: string;
  /** kubeconfig file that gets a `kwok-<name>` context (created if missing, set as current-context). */
  kubeconfig: string;
  binDir?: string;
  /** KWOK_WORKDIR; the cluster's state is `<workdir>/clusters/<name>`. */
  workdir?: string;
  /** Fixed kube-apiserver port (default: a free one picked by kwokctl). */
  apiserverPort?: number;
  /** How long kwokctl waits for the cluster to be ready. */
  waitSeconds?: number;
}

export interface KwokCluster {
  name: string;
  context: string;
  kubeconfig: string;
  /** `<workdir>/clusters/<name>`: pids, logs, pki, etcd data, its own kubeconfig.yaml. */
  clusterDir: string;
  server: string;
  seconds: number;
}

export function kwokEnv(workdir: string): NodeJS.ProcessEnv {
  // KWOK_* env vars override config; make sure a stray one in the caller's env can't point elsewhere.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('KWOK_')));
  return { ...env, KWOK_WORKDIR: workdir };
}

/** The KwokctlConfiguration we pass with --config: loopback only, local binaries, no downloads;
 * then the pod and node stages (lab/testenv/stages.ts), when given. */
export function kwokctlConfig(binDir: string, workdir: string, stages = ''): string {
  const b = (n: string) => JSON.stringify(join(binDir, n));
  return `apiVersion: config.kwok.x-k8s.io/v1alpha1
kind: KwokctlConfiguration
options:
  runtime: binary
  bindAddress: 127.0.0.1
  quietPull: true
  cacheDir: ${JSON.stringify(join(workdir, 'cache'))}
  kubeApiserverBinary: ${b('kube-apiserver')}
  kubeControllerManagerBinary: ${b('kube-controller-manager')}
  kubeSchedulerBinary: ${b('kube-scheduler')}
  kubectlBinary: ${b('kubectl')}
  kwokControllerBinary: ${b('kwok')}
  etcdBinary: ${b('etcd')}
${stages ? `---\n${stages}` : ''}`;
}

export async function startKwokCluster(o: KwokClusterOptions): Promise<KwokCluster> {
  const binDir = o.binDir ?? testenvBinDir();
  const workdir = o.workdir ?? kwokWorkdir();
  for (const n of ['kwokctl', 'kwok', 'etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl']) {
    if (!existsSync(join(binDir, n))) throw new Error(`${join(binDir, n)} is missing: run \`npx tsx scripts/testenv.ts build\``);
  }
  const kubeconfig = resolve(o.kubeconfig);
  await mkdir(workdir, { recursive: true });
  await mkdir(dirname(kubeconfig), { recursive: true });
  const configPath = join(workdir, `${o.name}.kwokctl.yaml`);
  await writeFile(configPath, kwokctlConfig(binDir, workdir, await simStages()));
  const args = [
    '--name', o.name,
    '--config', configPath,
    'create', 'cluster',
    '--runtime', 'binary',
    '--kubeconfig', kubeconfig,
    // the same paths as in the config file, as flags (flags win over the config file)
    '--kube-apiserver-binary', join(binDir, 'kube-apiserver'),
    '--kube-controller-manager-binary', join(binDir, 'kube-controller-manager'),
    '--kube-scheduler-binary', join(binDir, 'kube-scheduler'),
    '--kwok-controller-binary', join(binDir, 'kwok'),
    '--etcd-binary', join(binDir, 'etcd'),
    '--quiet-pull',
    '--wait', `${o.waitSeconds ?? 120}s`,
  ];
  if (o.apiserverPort) args.push('--kube-apiserver-port', String(o.apiserverPort));
  const t0 = performance.now();
  // kwokctl picks each component's port by looking for a free one; two clusters created at the
  // same moment (parallel test files, two labs) can pick the same port and one component then
  // dies (seen: a kwok controller that never marked nodes Ready). One creation at a time, machine-wide.
  const p = await withLock(join(labCacheRoot(), 'kwokctl-create.lock'), () =>
    $({ env: kwokEnv(workdir), quiet: true, nothrow: true })`${join(binDir, 'kwokctl')} ${args}`, 10 * 60_000);
  const seconds = Math.round((performance.now() - t0) / 100) / 10;
  if (p.exitCode !== 0) {
    throw new Error(`kwokctl create cluster ${o.name} failed (exit ${p.exitCode}):\n${(p.stderr + p.stdout).trim().split('\n').slice(-30).join('\n')}`);
  }
  const context = `kwok-${o.name}`;
  const server = (
    await $({ quiet: true, nothrow: true })`${join(binDir, 'kubectl')} --kubeconfig ${kubeconfig} config view -o ${`jsonpath={.clusters[?(@.name=="${context}")].cluster.server}`}`
  ).stdout.trim();
  return { name: o.name, context, kubeconfig, clusterDir: join(workdir, 'clusters', o.name), server, seconds };
}

/** Stops the processes, deletes `<workdir>/clusters/<name>` and removes the context from `kubeconfig`. */
export async function stopKwokCluster(name: string, opts: { kubeconfig?: string; binDir?: string; workdir?: string } = {}): Promise<void> {
  const binDir = opts.binDir ?? testenvBinDir();
  const workdir = opts.workdir ?? kwokWorkdir();
  const args = ['--name', name, 'delete', 'cluster'];
  if (opts.kubeconfig) args.push('--kubeconfig', resolve(opts.kubeconfig));
  const p = await $({ env: kwokEnv(workdir), quiet: true, nothrow: true })`${join(binDir, 'kwokctl')} ${args}`;
  if (p.exitCode !== 0) throw new Error(`kwokctl delete cluster ${name} failed:\n${(p.stderr + p.stdout).trim()}`);
  await rm(join(workdir, `${name}.kwokctl.yaml`), { force: true });
}

/** Resident memory (MiB) of each running component, from the cluster's pid files. */
export async function clusterMemory(clusterDir: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const pidsDir = join(clusterDir, 'pids');
  if (!existsSync(pidsDir)) return out;
  for (const f of await readdir(pidsDir)) {
    const pid = (await readFile(join(pidsDir, f), 'utf8')).trim();
    const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
    const kb = Number(status.match(/^VmRSS:\s+(\d+)/m)?.[1] ?? NaN);
    if (!Number.isNaN(kb)) out[f.replace(/\.pid$/, '')] = Math.round(kb / 1024);
  }
  return out;
}
