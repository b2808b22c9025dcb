// The lab's own observability objects, before the charts that read them: manifests/observability/
// grafana (the `monitoring` namespace, Grafana's datasources and dashboards as ConfigMaps its
// sidecars load), grafana-loki (Loki's datasource, only when Loki is installed), and Grafana's admin
// Secret, built from grafana-admin.env (generated on first use; never rendered, like your
// eng-app.env). Plain objects, applied server-side on every provider (sim too), checked by a dry-run diff.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { LabContext } from '../context.ts';
import { loadManifests, pick } from '../manifests.ts';
import { driftOf } from '../objects.ts';
import { buildGrafanaAdminSecret, ensureGrafanaAdmin, GRAFANA_ADMIN_FILE, readGrafanaAdmin } from '../observability/grafana-admin.ts';
import { GRAFANA_LOKI_MANIFESTS, GRAFANA_MANIFESTS, grafanaObjects } from '../observability/grafana-objects.ts';
import { installs, PROFILE_RELEASES } from '../observability/profiles.ts';
import type { Step } from './types.ts';

export const monitoringNamespace = (): KubernetesObject => pick(loadManifests(GRAFANA_MANIFESTS), 'Namespace');

/** The folders this config applies, as `lab render` writes them (one file per folder). */
function folders(ctx: LabContext): Record<string, KubernetesObject[]> {
  const loki = installs(ctx.cfg, 'loki');
  const objs = grafanaObjects({ loki });
  const inFolder = (folder: string) => {
    const names = new Set(loadManifests(folder).map((o) => `${o.kind}/${o.metadata?.name}`));
    return objs.filter((o) => names.has(`${o.kind}/${o.metadata?.name}`));
  };
  return { [GRAFANA_MANIFESTS]: inFolder(GRAFANA_MANIFESTS), ...(loki ? { [GRAFANA_LOKI_MANIFESTS]: inFolder(GRAFANA_LOKI_MANIFESTS) } : {}) };
}

/** Everything the step applies; `secret`: 'user' reads or creates grafana-admin.env, 'if-present' only reads it. */
function objectsFor(ctx: LabContext, secret: 'user' | 'if-present'): KubernetesObject[] {
  const admin = secret === 'user' ? ensureGrafanaAdmin(ctx.cfg.root, (m) => ctx.log.info(m)) : readGrafanaAdmin(ctx.cfg.root);
  const [ns, ...rest] = Object.values(folders(ctx)).flat();
  return [ns, ...(admin ? [buildGrafanaAdminSecret(admin)] : []), ...rest];
}

export const observabilityStep: Step = {
  name: 'observability',
  title: "Observability config (namespace monitoring, Grafana's admin Secret, datasources, dashboards)",
  needs: ['cluster'],
  enabled: (cfg) => PROFILE_RELEASES[cfg.profile].length > 0,
  disabledReason: (cfg) => `LAB_PROFILE=${cfg.profile} installs no observability`,
  async check(ctx) {
    if (!readGrafanaAdmin(ctx.cfg.root)) return { done: false, detail: `${GRAFANA_ADMIN_FILE} not created yet` };
    const drift = await driftOf(ctx.kube(), objectsFor(ctx, 'if-present'));
    return { done: drift.length === 0, detail: drift.join('\n') };
  },
  async apply(ctx) {
    await ctx.kube().apply(objectsFor(ctx, 'user'));
  },
  plan: (ctx) => [
    ...Object.entries(folders(ctx)).map(([folder, objs]) => `apply manifests/${folder}: ${objs.map((o) => `${o.kind}/${o.metadata?.name}`).join(', ')}`),
    `apply Secret monitoring/grafana-admin from ${GRAFANA_ADMIN_FILE} (created on the first up with a random password, mode 0600, git-ignored)`,
  ],
  render: (ctx) => folders(ctx),
};
