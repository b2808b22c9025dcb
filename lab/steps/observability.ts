// The lab's own observability objects, before the charts that read them: the `monitoring`
// namespace, Grafana's admin Secret (from grafana-admin.env, generated on first use), and Grafana's
// datasources and dashboards as ConfigMaps its sidecars load (Loki's only when Loki is installed).
// Plain objects, applied server-side on every provider (sim too) and checked by a dry-run diff.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { LabContext } from '../context.ts';
import { MANAGED_BY } from '../kube-refs.ts';
import { driftOf } from '../objects.ts';
import { MONITORING_NAMESPACE } from '../observability/endpoints.ts';
import { buildGrafanaAdminSecret, ensureGrafanaAdmin, placeholderGrafanaAdmin, readGrafanaAdmin } from '../observability/grafana-admin.ts';
import { grafanaObjects } from '../observability/grafana-objects.ts';
import { installs, PROFILE_RELEASES } from '../observability/profiles.ts';
import type { Step } from './types.ts';

export const monitoringNamespace = (): KubernetesObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: MONITORING_NAMESPACE, labels: { ...MANAGED_BY } } });

/** `secret`: 'user' reads (or creates) grafana-admin.env; 'placeholder' for plan and render. */
export function observabilityObjects(ctx: LabContext, secret: 'user' | 'placeholder' | 'if-present'): KubernetesObject[] {
  const admin = secret === 'user' ? ensureGrafanaAdmin(ctx.cfg.root, (m) => ctx.log.info(m)) : secret === 'if-present' ? readGrafanaAdmin(ctx.cfg.root) : placeholderGrafanaAdmin();
  return [
    monitoringNamespace(),
    ...(admin ? [buildGrafanaAdminSecret(admin)] : []),
    ...grafanaObjects({ loki: installs(ctx.cfg, 'loki') }),
  ];
}

export const observabilityStep: Step = {
  name: 'observability',
  title: "Observability config (namespace monitoring, Grafana's admin Secret, datasources, dashboards)",
  needs: ['cluster'],
  enabled: (cfg) => PROFILE_RELEASES[cfg.profile].length > 0,
  async check(ctx) {
    if (!readGrafanaAdmin(ctx.cfg.root)) return { done: false, detail: 'grafana-admin.env not created yet' };
    const drift = await driftOf(ctx.kube(), observabilityObjects(ctx, 'if-present'));
    return { done: drift.length === 0, detail: drift.join('\n') };
  },
  async apply(ctx) {
    await ctx.kube().apply(observabilityObjects(ctx, 'user'));
  },
  plan: (ctx) => [
    `apply ${observabilityObjects(ctx, 'placeholder').map((o) => `${o.kind}/${o.metadata?.name}`).join(', ')}`,
    "Grafana's admin login: grafana-admin.env (created on first up with a random password, mode 0600, git-ignored)",
  ],
  render: (ctx) => ({ observability: observabilityObjects(ctx, 'placeholder') }),
};
