// sim provider: a real control plane (etcd, kube-apiserver, controller-manager, scheduler) built
// from Go modules, run by kwokctl's binary runtime on 127.0.0.1, with KWOK faking nodes and pod
// status. Nodes are named and labelled like the kind cluster. No data plane: steps that need one
// say `skipped (sim): needs …`. State lives in .lab/sim; `lab down` stops it and removes it.
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { V1Node } from '@kubernetes/client-node';
import { NODEGROUP_LABEL } from '../config-keys.ts';
import { Kube, MANAGED_BY } from '../kube.ts';
import { mustRun } from '../run.ts';
import { ensureTestenv, testenvBinDir } from '../testenv/build.ts';
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

  createArgs(binDir: string): string[] {
    const bin = (n: string) => path.join(binDir, n);
    return [
      'create', 'cluster',
      '--name', this.d.cfg.clusterName,
      '--runtime', 'binary',
      '--kubeconfig', this.d.cfg.kubeconfig,
      '--kube-apiserver-binary', bin('kube-apiserver'),
      '--kube-controller-manager-binary', bin('kube-controller-manager'),
      '--kube-scheduler-binary', bin('kube-scheduler'),
      '--etcd-binary', bin('etcd'),
      '--kwok-controller-binary', bin('kwok'),
      '--kubectl-binary', bin('kubectl'),
      '--wait', '120s',
    ];
  }

  plan(): ClusterPlan {
    const { cfg } = this.d;
    return {
      commands: [['npx', 'tsx', 'scripts/testenv.ts', 'build'], [`KWOK_WORKDIR=${this.workdir}`, this.kwokctl(), ...this.createArgs(testenvBinDir())]],
      files: [],
      notes: [`fake nodes: ${simNodeNames(cfg.clusterName, cfg.workers).map((n, i) => (i === 0 ? `${n} (control-plane)` : `${n}=${cfg.workerGroups[i - 1]}`)).join(', ')}`],
    };
  }

  async exists(): Promise<boolean> {
    const res = await this.d.run.run(this.kwokctl(), ['get', 'clusters'], { env: this.env });
    return res.exitCode === 0 && res.stdout.split('\n').map((l) => l.trim()).includes(this.d.cfg.clusterName);
  }

  async create(): Promise<void> {
    this.d.log.info('building or reusing the test control plane (first time: tens of minutes; then cached)');
    const { binDir } = await ensureTestenv({ onBinary: (n, b) => this.d.log.debug(`${n} ${b.version} ${b.cached ? 'cached' : `built in ${b.seconds}s`}`) });
    mkdirSync(this.workdir, { recursive: true });
    mkdirSync(path.dirname(this.d.cfg.kubeconfig), { recursive: true });
    await mustRun(this.d.run, this.kwokctl(binDir), this.createArgs(binDir), { env: this.env, timeoutMs: 300_000 });
    const kube = Kube.fromFile(this.d.cfg.kubeconfig, this.contextName());
    const names = simNodeNames(this.d.cfg.clusterName, this.d.cfg.workers);
    await kube.apply(names.map((n, i) => fakeNode(n, i === 0 ? undefined : this.d.cfg.workerGroups[i - 1])));
  }

  async delete(): Promise<void> {
    await mustRun(this.d.run, this.kwokctl(), ['delete', 'cluster', '--name', this.d.cfg.clusterName, '--kubeconfig', this.d.cfg.kubeconfig], { env: this.env });
    rmSync(path.join(this.workdir, 'clusters', this.d.cfg.clusterName), { recursive: true, force: true });
  }

  async ingressUrl(): Promise<string> {
    return 'none (sim has no data plane; use kind or minikube for traffic)';
  }
}
