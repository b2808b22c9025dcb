// The lab's PodMonitor (every sidecar's merged metrics) and ServiceMonitor (istiod), from
// manifests/observability/monitors. They need the monitoring.coreos.com CRDs, which the
// kube-prometheus-stack release installs; where that release cannot be installed (sim without a
// cached archive) the provider supplies the same CRDs (sim: from the test environment, fetched from
// the prometheus-operator Go module at the chart's operator version), so the objects are still
// applied for real against their schemas.
import type { KubernetesObject, V1CustomResourceDefinition } from '@kubernetes/client-node';
import { waitCrdEstablished } from '../conditions.ts';
import type { LabContext } from '../context.ts';
import { LabError } from '../errors.ts';
import { loadManifests } from '../manifests.ts';
import { driftOf } from '../objects.ts';
import { installs } from '../observability/profiles.ts';
import type { Step } from './types.ts';

export const MONITORS_FOLDER = 'observability/monitors';
export const MONITORING_GROUP = 'monitoring.coreos.com';

export const monitorObjects = (): KubernetesObject[] => loadManifests(MONITORS_FOLDER);

const crdNames = (objs: KubernetesObject[]) => [...new Set(objs.map((o) => `${o.kind!.toLowerCase()}s.${MONITORING_GROUP}`))];

async function missingCrds(ctx: LabContext): Promise<string[]> {
  const names = crdNames(monitorObjects());
  const live = await Promise.all(names.map((n) => ctx.kube().get<V1CustomResourceDefinition>({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: n })));
  return names.filter((_, i) => !live[i]);
}

async function ensureCrds(ctx: LabContext): Promise<void> {
  const missing = await missingCrds(ctx);
  if (!missing.length) return;
  const supplied = ctx.provider.capabilities.fallbackCrds?.(MONITORING_GROUP) ?? [];
  const wanted = supplied.filter((c) => missing.includes(c.metadata!.name!));
  if (wanted.length < missing.length) {
    throw new LabError(`the ${MONITORING_GROUP} CRDs ${missing.join(', ')} are missing`, {
      detail: 'They come with the kube-prometheus-stack release; run `lab up` again to install it, or check that release (helm list -n monitoring).',
    });
  }
  await ctx.kube().apply(wanted);
  for (const c of wanted) await waitCrdEstablished(ctx.kube(), c.metadata!.name!, 60_000);
}

export const meshMonitorsStep: Step = {
  name: 'mesh-monitors',
  title: "Mesh monitors (PodMonitor for the sidecars' metrics, ServiceMonitor for istiod)",
  needs: ['observability', 'kube-prometheus-stack'],
  enabled: (cfg) => installs(cfg, 'prometheusStack'),
  disabledReason: (cfg) => `LAB_PROFILE=${cfg.profile} installs no Prometheus`,
  async check(ctx) {
    const missing = await missingCrds(ctx);
    if (missing.length) return { done: false, detail: `CRDs missing: ${missing.join(', ')}` };
    const drift = await driftOf(ctx.kube(), monitorObjects());
    return { done: drift.length === 0, detail: drift.join('\n') };
  },
  async apply(ctx) {
    await ensureCrds(ctx);
    await ctx.kube().apply(monitorObjects());
  },
  plan: () => [`apply ${monitorObjects().map((o) => `${o.kind}/${o.metadata?.namespace}/${o.metadata?.name}`).join(', ')} (manifests/${MONITORS_FOLDER})`],
  render: () => ({ [MONITORS_FOLDER]: monitorObjects() }),
};
