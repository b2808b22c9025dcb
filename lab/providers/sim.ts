// sim provider: a real control plane (etcd, kube-apiserver, controller-manager, scheduler) built
// from Go modules, run by kwokctl's binary runtime on 127.0.0.1, with KWOK faking nodes and pod
// status. Nodes are named and labelled like the kind cluster. No data plane: steps that need one
// say `skipped (sim): needs …`. State lives in .lab/sim; `lab down` stops it and removes it.
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { V1Node } from '@kubernetes/client-node';
import { NODEGROUP_LABEL } from '../config-keys.ts';
import { Kube, MANAGED_BY } from '../kube.ts';
import { ensureTestenv, testenvBinDir } from '../testenv/build.ts';
import { kwokctlConfig, startKwokCluster, stopKwokCluster } from '../testenv/cluster.ts';
import { CAPABILITIES } from './capabilities.ts';
import type { ClusterPlan, ClusterProvider, ProviderDeps } from './types.ts';

/** Node names as kind gives them: <name>-control-plane, <name>-worker, <name>-worker2, … */
export function simNodeNames(cluster: string, workers: number): string[] {
  return [`${cluster}-control-plane`, ...Array.from({ length: workers }, (_, i) => `${cluster}-worker${i === 0 ? '' : i + 1}`)];
}

export function fakeNode(name: string, group: string | undefined): V1Node {
  const controlPlane = group === undefined;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        ...MANAGED_BY,
        type: 'kwok',
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        ...(controlPlane ? { 'node-role.kubernetes.io/control-plane': '' } : { [NODEGROUP_LABEL]: group }),
      },
    },
    spec: controlPlane ? { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] } : {},
    status: {
      allocatable: { cpu: '4', memory: '8Gi', pods: '110' },
      capacity: { cpu: '4', memory: '8Gi', pods: '110' },
    },
  };
}

export class SimProvider implements ClusterProvider {
  readonly name = 'sim';
  readonly capabilities = CAPABILITIES.sim;
  constructor(private readonly d: ProviderDeps) {}

  private get workdir() {
    return path.join(this.d.cfg.stateDir, 'sim');
  }
  private get env() {
    return { KWOK_WORKDIR: this.workdir };
  }
  private kwokctl(binDir = testenvBinDir()) {
    return path.join(binDir, 'kwokctl');
  }

  contextName() {
    return `kwok-${this.d.cfg.clusterName}`;
  }
  requiredTools() {
    return [];
  }
  needsContainerEngine() {
    return false;
  }
  labelsNodesAfterCreate() {
    return false;
  }
  ownsCluster() {
    return true;
  }
  hostPorts() {
    return [];
  }
  async portHolder() {
    return undefined;
  }
  manualDeleteCommand() {
    return [`KWOK_WORKDIR=${this.workdir}`, this.kwokctl(), '--name', this.d.cfg.clusterName, 'delete', 'cluster'];
  }

  plan(): ClusterPlan {
    const { cfg } = this.d;
    return {
      commands: [
        ['npx', 'tsx', 'scripts/testenv.ts', 'build'],
        [`KWOK_WORKDIR=${this.workdir}`, this.kwokctl(), '--name', cfg.clusterName, '--config', `${this.workdir}/${cfg.clusterName}.kwokctl.yaml`, 'create', 'cluster', '--runtime', 'binary', '--kubeconfig', cfg.kubeconfig],
      ],
      files: [{ path: `${this.workdir}/${cfg.clusterName}.kwokctl.yaml`, content: kwokctlConfig(testenvBinDir(), this.workdir) }],
      notes: [`fake nodes: ${simNodeNames(cfg.clusterName, cfg.workers).map((n, i) => (i === 0 ? `${n} (control-plane)` : `${n}=${cfg.workerGroups[i - 1]}`)).join(', ')}`],
    };
  }

  async exists(): Promise<boolean> {
    if (!existsSync(this.kwokctl())) return false;
    const res = await this.d.run.run(this.kwokctl(), ['get', 'clusters'], { env: this.env });
    return res.exitCode === 0 && res.stdout.split('\n').map((l) => l.trim()).includes(this.d.cfg.clusterName);
  }

  async create(): Promise<void> {
    this.d.log.info('building or reusing the test control plane (first time: tens of minutes; then cached)');
    const { binDir } = await ensureTestenv({ onBinary: (n, b) => this.d.log.debug(`${n} ${b.version} ${b.cached ? 'cached' : `built in ${b.seconds}s`}`) });
    // Like kind, a new API server port for every creation, so a client kept from before a
    // re-creation cannot reach the new cluster by accident (kwokctl alone would reuse the port).
    await startKwokCluster({ name: this.d.cfg.clusterName, kubeconfig: this.d.cfg.kubeconfig, binDir, workdir: this.workdir, apiserverPort: await freePort() });
    const kube = Kube.fromFile(this.d.cfg.kubeconfig, this.contextName());
    const names = simNodeNames(this.d.cfg.clusterName, this.d.cfg.workers);
    await kube.apply(names.map((n, i) => fakeNode(n, i === 0 ? undefined : this.d.cfg.workerGroups[i - 1])));
    // Like kind, hand over a cluster whose nodes are Ready: until kwok reports them, the node
    // lifecycle controller keeps them tainted not-ready and the scheduler leaves pods Pending.
    for (const n of names) {
      await kube.waitFor<V1Node>('/api/v1/nodes', n, (node) => (node.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True') && !(node.spec?.taints ?? []).some((t) => t.key === 'node.kubernetes.io/not-ready'), 120_000, `node ${n} to be Ready`);
    }
  }

  async delete(): Promise<void> {
    const pids = this.componentPids();
    await stopKwokCluster(this.d.cfg.clusterName, { kubeconfig: this.d.cfg.kubeconfig, workdir: this.workdir });
    rmSync(path.join(this.workdir, 'clusters', this.d.cfg.clusterName), { recursive: true, force: true });
    rmSync(path.join(this.workdir, `${this.d.cfg.clusterName}.kwokctl.yaml`), { force: true });
    await waitForExit(pids, 30_000);
  }

  /** PIDs of the running components (kwokctl writes one file per component). */
  private componentPids(): number[] {
    const dir = path.join(this.workdir, 'clusters', this.d.cfg.clusterName, 'pids');
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .map((f) => Number(readFileSync(path.join(dir, f), 'utf8').trim()))
      .filter((pid) => Number.isInteger(pid) && pid > 0);
  }

  async ingressUrl(): Promise<string> {
    return 'none (sim has no data plane; use kind or minikube for traffic)';
  }
}

/** A port nothing listens on now, on 127.0.0.1, chosen by the kernel (as kind's GetFreePort). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** kwokctl signals the components and returns; wait until they are gone (SIGKILL after the grace). */
async function waitForExit(pids: number[], graceMs: number): Promise<void> {
  const alive = () => pids.filter((pid) => existsSync(`/proc/${pid}`) || isRunning(pid));
  const deadline = Date.now() + graceMs;
  while (alive().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  for (const pid of alive()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
