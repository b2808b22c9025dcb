// The lab's PodMonitor (every sidecar's merged metrics) and ServiceMonitor (istiod), from
// manifests/observability/monitors. They need the monitoring.coreos.com CRDs, which the
// kube-prometheus-stack release installs; where that release cannot be installed (sim without a
// cached archive) the provider supplies the same CRDs (sim: from the test environment, fetched from
// the prometheus-operator Go module at the chart's operator version), so the objects are still
// applied for real against their schemas.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { LabContext } from '../context.ts';
import { loadManifests } from '../manifests.ts';
import { driftOf } from '../objects.ts';
import { installs } from '../observability/profiles.ts';
import { ensureCrds, missingCrds } from './fallback-crds.ts';
import type { Step } from './types.ts';

export const MONITORS_FOLDER = 'observability/monitors';
export const MONITORING_GROUP = 'monitoring.coreos.com';

export const monitorObjects = (): KubernetesObject[] => loadManifests(MONITORS_FOLDER);

const crdNames = (objs: KubernetesObject[]) => [...new Set(objs.map((o) => `${o.kind!.toLowerCase()}s.${MONITORING_GROUP}`))];

const missing = (ctx: LabContext) => missingCrds(ctx, crdNames(monitorObjects()));
const ensure = (ctx: LabContext) =>
  ensureCrds(ctx, MONITORING_GROUP, crdNames(monitorObjects()), `the ${MONITORING_GROUP} CRDs`,
    'They come with the kube-prometheus-stack release; run `lab up` again to install it, or check that release (helm list -n monitoring).');

export const meshMonitorsStep: Step = {
  name: 'mesh-monitors',
  title: "Mesh monitors (PodMonitor for the sidecars' metrics, ServiceMonitor for istiod)",
  needs: ['observability', 'kube-prometheus-stack'],
  enabled: (cfg) => installs(cfg, 'prometheusStack'),
  disabledReason: (cfg) => `LAB_PROFILE=${cfg.profile} installs no Prometheus`,
  async check(ctx) {
    const absent = await missing(ctx);
    if (absent.length) return { done: false, detail: `CRDs missing: ${absent.join(', ')}` };
    const drift = await driftOf(ctx.kube(), monitorObjects());
    return { done: drift.length === 0, detail: drift.join('\n') };
  },
  async apply(ctx) {
    await ensure(ctx);
    await ctx.kube().apply(monitorObjects());
  },
  plan: () => [`apply ${monitorObjects().map((o) => `${o.kind}/${o.metadata?.namespace}/${o.metadata?.name}`).join(', ')} (manifests/${MONITORS_FOLDER})`],
  render: () => ({ [MONITORS_FOLDER]: monitorObjects() }),
};
