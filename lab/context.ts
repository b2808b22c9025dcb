// One LabContext passed to every step and command: config, output, runner, provider and a lazily
// built Kube client (the cluster may not exist yet when the context is made). No globals.
// The client follows the kubeconfig file: when a (re)creation rewrites it (new API port, new CA),
// the next kube() call builds a fresh client instead of talking to the old endpoint.
import { statSync } from 'node:fs';
import path from 'node:path';
import type { LabConfig } from './config.ts';
import { Kube } from './kube.ts';
import type { Log, Status } from './log.ts';
import { makeProvider } from './providers/index.ts';
import type { ClusterProvider } from './providers/types.ts';
import type { Runner } from './run.ts';
import { CAPABILITIES } from './providers/capabilities.ts';
import { toolPath } from './tools.ts';

export interface LabFlags {
  dryRun: boolean;
  retain: boolean;
  recreate: boolean;
  labelNodes: boolean;
  /** existing provider: install Istio even though the cluster already has a mesh. */
  overwriteMesh: boolean;
  yes: boolean;
}

export interface LabContext {
  cfg: LabConfig;
  log: Log;
  status: Status;
  run: Runner;
  provider: ClusterProvider;
  flags: LabFlags;
  /** The API client for the lab's own context; throws a clear error when the cluster is absent. */
  kube(): Kube;
  tool(name: string): string;
}

export function createContext(opts: {
  cfg: LabConfig;
  log: Log;
  status: Status;
  run: Runner;
  flags?: Partial<LabFlags>;
  provider?: ClusterProvider;
}): LabContext {
  const flags: LabFlags = { dryRun: false, retain: false, recreate: false, labelNodes: false, overwriteMesh: false, yes: false, ...opts.flags };
  // The provider's own tool directories first (sim: the test environment's builds, matching its
  // control plane), then .lab/bin (pinned installs), then PATH.
  const binDirs = [...CAPABILITIES[opts.cfg.provider].toolDirs(), path.join(opts.cfg.stateDir, 'bin')];
  const tool = (name: string) => toolPath(name, binDirs);
  const provider = opts.provider ?? makeProvider({ cfg: opts.cfg, run: opts.run, log: opts.log, tool }, flags);
  let kube: { client: Kube; stamp: string } | undefined;
  return {
    ...opts,
    flags,
    provider,
    tool,
    kube() {
      const stamp = fileStamp(opts.cfg.kubeconfig);
      if (!kube || kube.stamp !== stamp) kube = { client: Kube.fromFile(opts.cfg.kubeconfig, provider.contextName()), stamp };
      return kube.client;
    },
  };
}

/** Changes whenever the file is rewritten (kind, minikube and kwokctl rewrite it on create/delete). */
function fileStamp(file: string): string {
  try {
    const st = statSync(file, { bigint: true });
    return `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
  } catch {
    return 'missing';
  }
}
