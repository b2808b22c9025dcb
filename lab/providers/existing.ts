// existing provider: a cluster the user already has, used only through the context they named
// (LAB_CONTEXT) in LAB_KUBECONFIG, which the lab reads but never writes. The lab never creates,
// deletes or labels nodes here unless asked (`--label-nodes`); `lab down` removes only objects the
// lab created (label app.kubernetes.io/managed-by=cloud-native-lab).
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { LabError } from '../errors.ts';
import { CAPABILITIES } from './capabilities.ts';
import type { ClusterPlan, ClusterProvider, ProviderDeps } from './types.ts';

export class ExistingProvider implements ClusterProvider {
  readonly name = 'existing';
  readonly capabilities = CAPABILITIES.existing;
  constructor(private readonly d: ProviderDeps, private readonly labelNodes = false) {}

  contextName() {
    return this.d.cfg.context ?? '';
  }
  requiredTools() {
    return ['kubectl', 'helm', 'istioctl'];
  }
  needsContainerEngine() {
    return false;
  }
  labelsNodesAfterCreate() {
    return this.labelNodes;
  }
  ownsCluster() {
    return false;
  }
  hostPorts() {
    return [];
  }
  async portHolder() {
    return undefined;
  }
  manualDeleteCommand() {
    return [];
  }

  plan(): ClusterPlan {
    return {
      commands: [],
      files: [],
      notes: [
        `use context ${this.contextName()} from ${this.d.cfg.kubeconfig} (read only)`,
        this.labelNodes ? 'label worker nodes with node groups (--label-nodes)' : 'nodes are not labelled (pass --label-nodes to allow it)',
      ],
    };
  }

  async exists(): Promise<boolean> {
    const file = this.d.cfg.kubeconfig;
    if (!existsSync(file)) return false;
    const doc = parse(readFileSync(file, 'utf8')) as { contexts?: Array<{ name: string }> } | null;
    return (doc?.contexts ?? []).some((c) => c.name === this.contextName());
  }

  async create(): Promise<void> {
    throw new LabError(
      `context ${this.contextName()} is not in ${this.d.cfg.kubeconfig}; the lab does not create clusters for LAB_PROVIDER=existing — check LAB_CONTEXT (kubectl config get-contexts)`,
    );
  }

  async delete(): Promise<void> {
    // The cluster is the user's: nothing to delete at this level.
  }

  async ingressUrl(): Promise<string> {
    return `http://127.0.0.1:${this.d.cfg.httpPort} (run: npm run pf -- ingress)`;
  }
}
