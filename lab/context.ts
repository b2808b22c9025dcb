// One LabContext passed to every step and command: config, output, runner, provider and a lazily
// built Kube client (the cluster may not exist yet when the context is made). No globals.
import path from 'node:path';
import type { LabConfig } from './config.ts';
import { Kube } from './kube.ts';
import type { Log, Status } from './log.ts';
import { makeProvider } from './providers/index.ts';
import type { ClusterProvider } from './providers/types.ts';
import type { Runner } from './run.ts';
import { testenvBinDir } from './testenv/build.ts';
import { toolPath } from './tools.ts';

export interface LabFlags {
  dryRun: boolean;
  retain: boolean;
  recreate: boolean;
  labelNodes: boolean;
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
  const flags: LabFlags = { dryRun: false, retain: false, recreate: false, labelNodes: false, yes: false, ...opts.flags };
  // sim drives the Go-built tools of the test environment (matching its control plane's version);
  // real clusters use .lab/bin (pinned installs) and then PATH.
  const binDirs = [...(opts.cfg.provider === 'sim' ? [testenvBinDir()] : []), path.join(opts.cfg.stateDir, 'bin')];
  const tool = (name: string) => toolPath(name, binDirs);
  const provider = opts.provider ?? makeProvider({ cfg: opts.cfg, run: opts.run, log: opts.log, tool }, flags);
  let kube: Kube | undefined;
  return {
    ...opts,
    flags,
    provider,
    tool,
    kube() {
      kube ??= Kube.fromFile(opts.cfg.kubeconfig, provider.contextName());
      return kube;
    },
  };
}
