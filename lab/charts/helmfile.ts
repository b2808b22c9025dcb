// `lab render` also writes helm-releases.yaml in helmfile's shape: the chart repositories, and
// exactly the releases `up` installs for these settings, with their pinned versions and our values
// inline, so `helmfile template -f helm-releases.yaml` (or helm template per release) reproduces them.
import type { LabConfig } from '../config.ts';
import { RELEASES } from '../observability/endpoints.ts';
import { installs, type ReleaseKey } from '../observability/profiles.ts';
import type { HelmRelease } from './release.ts';

export interface HelmfileDoc {
  repositories: Array<{ name: string; url: string }>;
  releases: Array<{ name: string; namespace: string; chart: string; version: string; values: Array<Record<string, unknown>> }>;
}

export function helmfileDoc(releases: HelmRelease[]): HelmfileDoc {
  const repos = new Map<string, string>();
  for (const r of releases) repos.set(r.pin.repo.name, r.pin.repo.url);
  return {
    repositories: [...repos].map(([name, url]) => ({ name, url })),
    releases: releases.map((r) => ({
      name: r.spec.release,
      namespace: r.spec.namespace,
      chart: `${r.pin.repo.name}/${r.pin.chart}`,
      version: r.pin.version,
      values: [r.values],
    })),
  };
}

/** The releases this config installs, in pipeline order. */
export function enabledReleaseKeys(cfg: Pick<LabConfig, 'profile' | 'gitops'>): ReleaseKey[] {
  return (Object.keys(RELEASES) as ReleaseKey[]).filter((k) => installs(cfg, k));
}
