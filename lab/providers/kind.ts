// kind provider: one `kind create cluster` with a generated config; kubeconfig goes to
// LAB_KUBECONFIG (never ~/.kube/config) and the context is kind-<name>.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LabError, ToolMissingError } from '../errors.ts';
import { mustRun } from '../run.ts';
import { kindConfigYaml } from './kind-config.ts';
import { kindPortHolder } from './kind-ports.ts';
import { CAPABILITIES } from './capabilities.ts';
import type { ClusterPlan, ClusterProvider, ProviderDeps } from './types.ts';

export class KindProvider implements ClusterProvider {
  readonly name = 'kind';
  readonly capabilities = CAPABILITIES.kind;
  constructor(private readonly d: ProviderDeps) {}

  private get configPath() {
    return path.join(this.d.cfg.stateDir, 'kind-config.yaml');
  }

  contextName() {
    return `kind-${this.d.cfg.clusterName}`;
  }
  requiredTools() {
    return ['kind', 'kubectl', 'helm', 'istioctl'];
  }
  needsContainerEngine() {
    return true;
  }
  labelsNodesAfterCreate() {
    return false; // labels are in the kind config, applied by kubeadm at join time
  }
  ownsCluster() {
    return true;
  }
  hostPorts() {
    return [
      { key: 'LAB_HTTP_PORT', port: this.d.cfg.httpPort },
      { key: 'LAB_HTTPS_PORT', port: this.d.cfg.httpsPort },
    ];
  }
  async portHolder(port: number) {
    const p = await kindPortHolder(this.d.run, this.d.tool('docker'), port);
    if (!p) return undefined;
    const own = p.cluster === this.d.cfg.clusterName;
    return { own, who: `${own ? "the lab's own " : ''}kind cluster ${p.cluster} (node ${p.container} publishes ${p.hostIp || '*'}:${p.hostPort} → ${p.containerPort})` };
  }
  manualDeleteCommand() {
    return ['kind', 'delete', 'cluster', '--name', this.d.cfg.clusterName];
  }

  createArgs(retain: boolean): string[] {
    const { cfg } = this.d;
    return [
      'create', 'cluster',
      '--name', cfg.clusterName,
      '--config', this.configPath,
      '--kubeconfig', cfg.kubeconfig,
      '--wait', '120s',
      ...(retain ? ['--retain'] : []),
    ];
  }

  plan(): ClusterPlan {
    return {
      commands: [[this.d.tool('kind'), ...this.createArgs(false)]],
      files: [{ path: this.configPath, content: kindConfigYaml(this.d.cfg) }],
      notes: [`ingress: http://127.0.0.1:${this.d.cfg.httpPort} and https://127.0.0.1:${this.d.cfg.httpsPort} (listenAddress 127.0.0.1)`],
    };
  }

  async exists(): Promise<boolean> {
    const res = await this.d.run.run(this.d.tool('kind'), ['get', 'clusters']);
    if (res.exitCode === 127) throw new ToolMissingError('kind');
    if (res.exitCode !== 0) throw new LabError(`kind get clusters exited ${res.exitCode}`, { detail: res.stderr.trim() });
    return res.stdout.split('\n').map((l) => l.trim()).includes(this.d.cfg.clusterName);
  }

  async create({ retain }: { retain: boolean }): Promise<void> {
    mkdirSync(path.dirname(this.configPath), { recursive: true });
    mkdirSync(path.dirname(this.d.cfg.kubeconfig), { recursive: true });
    writeFileSync(this.configPath, kindConfigYaml(this.d.cfg));
    await mustRun(this.d.run, this.d.tool('kind'), this.createArgs(retain), { inherit: true });
  }

  async delete(): Promise<void> {
    await mustRun(this.d.run, this.d.tool('kind'), ['delete', 'cluster', '--name', this.d.cfg.clusterName, '--kubeconfig', this.d.cfg.kubeconfig]);
  }

  async ingressUrl(): Promise<string> {
    return `http://127.0.0.1:${this.d.cfg.httpPort}`;
  }
}
