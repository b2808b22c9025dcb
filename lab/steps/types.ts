// One install step: {name, needs, enabled, check, apply}. `check` looks before `apply` writes, so
// a second `lab up` finds everything done and writes nothing.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { LabConfig } from '../config.ts';
import type { LabContext } from '../context.ts';

export interface CheckResult {
  done: boolean;
  /** What is missing or different, shown in plan and when applying. */
  detail?: string;
}

export interface Step {
  name: string;
  title: string;
  needs: string[];
  enabled(cfg: LabConfig): boolean;
  /** Why `enabled` is false, for `lab plan` (default: "disabled for this config"). */
  disabledReason?(cfg: LabConfig): string;
  /** What of a data plane the step needs, if any: on a provider without one (sim) it is skipped
   * visibly, `skipped (sim): needs …`. */
  needsDataPlane?: string;
  /** Any other reason this provider cannot run the step (shown as the skip), e.g. a chart archive
   * that sim cannot download. */
  skipReason?(ctx: LabContext): string | undefined;
  check(ctx: LabContext): Promise<CheckResult>;
  apply(ctx: LabContext): Promise<void>;
  /** Lines for `lab plan` (commands, files, objects) without touching anything. */
  plan(ctx: LabContext): string[];
  /** Manifests for `lab render`, grouped by component file name. */
  render?(ctx: LabContext): Record<string, KubernetesObject[]>;
}
