// An install step for one Helm release of the observability stack (lab/charts/release.ts does the
// work). On a provider without a data plane (sim) a release is installed for real only when its
// archive is already in .lab/cache/charts/ (no chart repository is reachable there); otherwise the
// step is skipped visibly, saying how to cache it.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { LabConfig } from '../config.ts';
import type { LabContext } from '../context.ts';
import { archivePath, pullArgv } from '../charts/archive.ts';
import { HELM_TIMEOUT, installArgv, installRelease, releaseDrift, valuesPath, type HelmRelease } from '../charts/release.ts';
import { loadValues, valuesFileRel } from '../charts/values.ts';
import { RELEASES } from '../observability/endpoints.ts';
import { decidingSetting, GITOPS_RELEASES, installs, profilesWith, type ReleaseKey } from '../observability/profiles.ts';
import { CHARTS } from '../versions.ts';
import type { Step } from './types.ts';

export const CHARTS_PULL_HINT = 'npm run lab -- charts pull';

export function helmRelease(key: ReleaseKey): HelmRelease {
  const spec = RELEASES[key];
  return { spec, pin: CHARTS[spec.chart], values: loadValues(spec.release) };
}

export interface ChartStepOptions {
  key: ReleaseKey;
  title: string;
  needs: string[];
  /** Tests give a release of their own (a local chart); default: helmRelease(key). */
  release?: () => HelmRelease;
  enabled?: (cfg: LabConfig) => boolean;
}

export function chartStep(o: ChartStepOptions): Step {
  const release = o.release ?? (() => helmRelease(o.key));
  return {
    name: RELEASES[o.key].release,
    title: o.title,
    needs: o.needs,
    enabled: o.enabled ?? ((cfg) => installs(cfg, o.key)),
    disabledReason: (cfg) => `not with ${decidingSetting(cfg, o.key)}; installed with ${installedWith(o.key)}`,
    skipReason(ctx) {
      const r = release();
      if (ctx.provider.capabilities.dataPlane || existsSync(archivePath(ctx.cfg.stateDir, r.pin))) return undefined;
      return `skipped (${ctx.provider.name}): chart archive not cached (${CHARTS_PULL_HINT})`;
    },
    async check(ctx) {
      const drift = await releaseDrift(ctx, release());
      return { done: drift.length === 0, detail: drift.join('\n') };
    },
    apply: (ctx) => installRelease(ctx, release()),
    plan(ctx) {
      const r = release();
      const archive = archivePath(ctx.cfg.stateDir, r.pin);
      const rel = path.relative(ctx.cfg.root, archive);
      return [
        `chart ${r.pin.repo.name}/${r.pin.chart} ${r.pin.version} (app ${r.pin.appVersion}), sha256 ${r.pin.sha256}`,
        existsSync(archive) ? `archive ${rel} (cached; checked against the sha256)` : `pull: ${pullArgv(ctx, r.pin, path.dirname(rel)).join(' ')}; refuse it unless its sha256 matches`,
        `apply the chart's CRDs server-side, then: ${installArgv(ctx, r, rel).join(' ')}`,
        `values: manifests/${valuesFileRel(r.spec.release)} → ${path.relative(ctx.cfg.root, valuesPath(ctx, r))}; wait ≤ ${HELM_TIMEOUT} for its workloads`,
      ];
    },
  };
}

/** For messages: "Loki is installed with LAB_PROFILE=full". */
export const installedWith = (key: ReleaseKey) => (GITOPS_RELEASES.includes(key) ? 'LAB_GITOPS=argocd' : `LAB_PROFILE=${profilesWith(key).join(' or ')}`);
