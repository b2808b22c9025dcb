// minikube provider (seed 002): one profile with 1 + LAB_WORKERS nodes on the docker driver with
// containerd, LAB_DATA_DIR mounted at /opt/nfs; workers m02.. are labelled with their node group
// after start. KUBECONFIG points minikube at LAB_KUBECONFIG so the user's file is never written.
// Not verifiable here (no container engine): whether `--mount` reaches every node of a multi-node
// profile. If it does not, LAB_STORAGE=nfs serves the same PVs from an in-cluster NFS server.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { LabError } from '../errors.ts';
import { mustRun } from '../run.ts';
import { NFS_MOUNT_PATH } from './kind-config.ts';
import { CAPABILITIES } from './capabilities.ts';
import type { ClusterPlan, ClusterProvider, ProviderDeps } from './types.ts';

export class MinikubeProvider implements ClusterProvider {
  readonly name = 'minikube';
  readonly capabilities = CAPABILITIES.minikube;
  constructor(private readonly d: ProviderDeps) {}

  private get env() {
    return { KUBECONFIG: this.d.cfg.kubeconfig };
  }

  contextName() {
    return this.d.cfg.clusterName;
  }
  requiredTools() {
    return ['minikube', 'kubectl', 'helm', 'istioctl'];
  }
  needsContainerEngine() {
    return true;
  }
  labelsNodesAfterCreate() {
    return true;
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
    return ['minikube', 'delete', '-p', this.d.cfg.clusterName];
  }

  /** Node names minikube gives workers: <profile>-m02, -m03, … (the control plane is <profile>). */
  workerNodeNames(): string[] {
    return this.d.cfg.workerGroups.map((_, i) => `${this.d.cfg.clusterName}-m${String(i + 2).padStart(2, '0')}`);
  }

  startArgs(): string[] {
    const { cfg } = this.d;
    return [
      'start',
      '-p', cfg.clusterName,
      '--nodes', String(1 + cfg.workers),
      '--driver=docker',
      '--container-runtime=containerd',
      `--kubernetes-version=${cfg.k8sVersion}`,
      `--cpus=${cfg.cpus}`,
      `--memory=${cfg.memoryMiB}mb`,
      '--mount',
      `--mount-string=${cfg.dataDir}:${NFS_MOUNT_PATH}`,
      // The API server and NodePorts stay on the minikube network / 127.0.0.1 port publishes.
      '--listen-address=127.0.0.1',
    ];
  }

  plan(): ClusterPlan {
    return {
      commands: [[this.d.tool('minikube'), ...this.startArgs()]],
      files: [],
      notes: [
        `KUBECONFIG=${this.d.cfg.kubeconfig} for every minikube call, so ~/.kube/config is untouched`,
        `then label ${this.workerNodeNames().map((n, i) => `${n}=${this.d.cfg.workerGroups[i]}`).join(', ')}`,
      ],
    };
  }

  async exists(): Promise<boolean> {
    const res = await this.d.run.run(this.d.tool('minikube'), ['profile', 'list', '-o', 'json'], { env: this.env });
    if (res.exitCode !== 0) return false;
    try {
      const doc = JSON.parse(res.stdout) as { valid?: Array<{ Name: string }>; invalid?: Array<{ Name: string }> };
      return [...(doc.valid ?? []), ...(doc.invalid ?? [])].some((p) => p.Name === this.d.cfg.clusterName);
    } catch {
      return false;
    }
  }

  async create(): Promise<void> {
    mkdirSync(path.dirname(this.d.cfg.kubeconfig), { recursive: true });
    await mustRun(this.d.run, this.d.tool('minikube'), this.startArgs(), { env: this.env, inherit: true });
  }

  async delete(): Promise<void> {
    await mustRun(this.d.run, this.d.tool('minikube'), ['delete', '-p', this.d.cfg.clusterName], { env: this.env });
  }

  /**
   * The gateway's http2 port. On Linux with Docker's own engine the node IP is reachable and
   * `minikube service --url` prints one URL per Service port, in the Service's order (status-port
   * 15021 first) and exits; `--format` names each one `<port name>/<port>`. Where the driver needs
   * a port forward (macOS, Windows, WSL, Docker Desktop on Linux, rootless) the node IP is not
   * reachable and `minikube service` opens a tunnel and never returns; the lab's own port-forward
   * takes its place there (minikube cmd/minikube/cmd/service.go, pkg/minikube/driver NeedsPortForward).
   */
  async ingressUrl(): Promise<string> {
    const viaPortForward = `http://127.0.0.1:${this.d.cfg.httpPort} (run in another terminal: npm run pf -- ingress; minikube's docker driver does not expose the node here)`;
    if (['darwin', 'win32'].includes(this.d.platform ?? process.platform)) return viaPortForward;
    const res = await this.d.run.run(
      this.d.tool('minikube'),
      ['service', '--url', '--format', MINIKUBE_URL_FORMAT, '-p', this.d.cfg.clusterName, '-n', 'istio-system', 'istio-ingressgateway'],
      // The tunnel never returns by itself: what it printed by then says it was the tunnel.
      { env: this.env, timeoutMs: 20_000 },
    );
    const url = pickGatewayUrl(res.stdout, res.stderr);
    if (url === 'tunnel') return viaPortForward;
    if (!url) throw new LabError(`minikube service --url printed no http2 URL for istio-system/istio-ingressgateway (exit ${res.exitCode})`, { detail: (res.stdout + res.stderr).trim() });
    return url;
  }
}

/** One line per port: `http2/80 http://192.168.49.2:31380`. */
export const MINIKUBE_URL_FORMAT = '{{.Name}} http://{{.IP}}:{{.Port}}';

/**
 * The http2 port's URL from `minikube service --url --format MINIKUBE_URL_FORMAT`, or 'tunnel' when
 * minikube went the tunnel way (it says the terminal must stay open, and names every line after the
 * Service instead of its port, with 127.0.0.1 URLs that die with the command).
 */
export function pickGatewayUrl(stdout: string, stderr: string): string | 'tunnel' | undefined {
  if (/the terminal needs to be open/.test(stderr)) return 'tunnel';
  const lines = stdout.split('\n').map((l) => l.trim().split(/\s+/)).filter((l) => l.length === 2);
  if (lines.length && lines.every(([, url]) => url.startsWith('http://127.0.0.1:'))) return 'tunnel';
  const http = lines.find(([name]) => /^(http2|http)\//.test(name));
  return http?.[1];
}
