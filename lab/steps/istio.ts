// Istio: `istioctl install` of the lab's IstioOperator on a real cluster, verified by istiod and the
// ingress gateway becoming Available. On sim (no data plane) the objects the API can hold are
// applied from the real `istioctl manifest generate` output; the webhooks are skipped visibly,
// because they would point the API server at an istiod that cannot run there.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { KubernetesObject, V1ConfigMap } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { toYaml } from '../yaml.ts';
import { notReady, waitCrdEstablished, waitDeploymentAvailable } from '../conditions.ts';
import type { LabContext } from '../context.ts';
import { LabError } from '../errors.ts';
import { MANAGED_BY } from '../kube-refs.ts';
import { driftOf } from '../objects.ts';
import { ISTIO_NAMESPACE, istioOperator, meshTelemetry } from '../istio/operator.ts';
import { mustRun } from '../run.ts';
import type { Step } from './types.ts';

const DEPLOYMENTS = ['istiod', 'istio-ingressgateway'];
const SIM_SKIPPED_KINDS = new Set(['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']);
const STATE = { apiVersion: 'v1', kind: 'ConfigMap', namespace: ISTIO_NAMESPACE, name: 'cloud-native-lab-istio' };

const operatorYaml = () => toYaml(istioOperator());
const operatorHash = () => createHash('sha256').update(operatorYaml()).digest('hex').slice(0, 16);
const operatorFile = (ctx: LabContext) => path.join(ctx.cfg.stateDir, 'istio-operator.yaml');

function writeOperator(ctx: LabContext): string {
  const file = operatorFile(ctx);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, operatorYaml());
  return file;
}

/** The install as plain objects, from the real istioctl (offline: its charts are built in). */
export async function generatedObjects(ctx: LabContext): Promise<KubernetesObject[]> {
  const res = await mustRun(ctx.run, ctx.tool('istioctl'), ['manifest', 'generate', '-f', writeOperator(ctx)]);
  return parseAllDocuments(res.stdout)
    .map((d) => d.toJS() as KubernetesObject | null)
    .filter((o): o is KubernetesObject => Boolean(o?.kind));
}

/** Generated once per command: `up` checks, then applies, the same install. */
const generatedFor = new WeakMap<LabContext, Promise<KubernetesObject[]>>();

async function simObjects(ctx: LabContext): Promise<{ apply: KubernetesObject[]; skipped: KubernetesObject[] }> {
  if (!generatedFor.has(ctx)) generatedFor.set(ctx, generatedObjects(ctx));
  const all = await generatedFor.get(ctx)!;
  const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ISTIO_NAMESPACE, labels: { ...MANAGED_BY } } };
  return { apply: [ns, ...all.filter((o) => !SIM_SKIPPED_KINDS.has(o.kind!))], skipped: all.filter((o) => SIM_SKIPPED_KINDS.has(o.kind!)) };
}

function stateConfigMap(): V1ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: STATE.name, namespace: ISTIO_NAMESPACE, labels: { ...MANAGED_BY } }, data: { operatorHash: operatorHash() } };
}

async function waitAvailable(ctx: LabContext): Promise<void> {
  for (const name of DEPLOYMENTS) await waitDeploymentAvailable(ctx.kube(), ISTIO_NAMESPACE, name, 300_000, { report: (l) => ctx.log.warn(l) });
}

async function applySim(ctx: LabContext): Promise<void> {
  const { apply, skipped } = await simObjects(ctx);
  const kube = ctx.kube();
  const crds = apply.filter((o) => o.kind === 'CustomResourceDefinition');
  await kube.apply([apply[0], ...crds]);
  for (const crd of crds) await waitCrdEstablished(kube, crd.metadata!.name!, 60_000);
  await kube.apply(apply.filter((o) => o !== apply[0] && o.kind !== 'CustomResourceDefinition'));
  ctx.status.skip(`${skipped.map((o) => `${o.kind}/${o.metadata?.name}`).join(', ')}: skipped (sim): needs a running istiod (data plane)`);
}

export const istioStep: Step = {
  name: 'istio',
  title: 'Istio (demo profile, gateway on the ingress nodes)',
  needs: ['cluster', 'node-groups'],
  enabled: () => true,
  // Both installs record what they installed (the IstioOperator's hash) only once it is ready; the
  // check asks for that record and for istiod and the gateway to be rolled out, not for a diff of
  // every generated object (which cost seconds of CRD round trips on every `status`).
  async check(ctx) {
    const kube = ctx.kube();
    const state = await kube.get<V1ConfigMap>(STATE);
    if (state?.data?.operatorHash !== operatorHash()) return { done: false, detail: state ? 'IstioOperator changed' : 'not installed by the lab' };
    const deployments = DEPLOYMENTS.map((name) => ({ kind: 'Deployment', metadata: { name, namespace: ISTIO_NAMESPACE } }));
    const problems = [...(await notReady(kube, deployments)), ...(await driftOf(kube, [meshTelemetry()]))];
    for (const d of deployments) {
      if (!(await kube.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: ISTIO_NAMESPACE, name: d.metadata.name }))) problems.push(`Deployment/${ISTIO_NAMESPACE}/${d.metadata.name} missing`);
    }
    return { done: problems.length === 0, detail: problems.join('\n') };
  },
  async apply(ctx) {
    if (ctx.provider.capabilities.meshInstall === 'generated-objects') {
      await applySim(ctx);
    } else {
      const file = writeOperator(ctx);
      await mustRun(ctx.run, ctx.tool('istioctl'), ['install', '-y', '-f', file, '--kubeconfig', ctx.cfg.kubeconfig, '--context', ctx.provider.contextName()], {
        inherit: true,
        timeoutMs: 900_000,
      });
    }
    await waitAvailable(ctx).catch((err) => {
      throw new LabError('Istio was installed but is not ready', { cause: err, detail: (err as LabError).detail });
    });
    await ctx.kube().apply([meshTelemetry(), stateConfigMap()]);
  },
  plan: (ctx) =>
    ctx.provider.capabilities.meshInstall === 'generated-objects'
      ? [`istioctl manifest generate -f ${operatorFile(ctx)}; apply everything but the webhooks (no istiod can run on sim)`, 'apply Telemetry istio-system/mesh-default (traces → jaeger)']
      : [
          `write ${operatorFile(ctx)}:\n${operatorYaml().replace(/^/gm, '    ')}`,
          `run: ${ctx.tool('istioctl')} install -y -f ${operatorFile(ctx)} --kubeconfig ${ctx.cfg.kubeconfig} --context ${ctx.provider.contextName()}`,
          `wait for ${DEPLOYMENTS.join(', ')} Available; apply Telemetry istio-system/mesh-default (traces → jaeger)`,
        ],
  render: () => ({ 'istio/istio-operator': [istioOperator()], istio: [meshTelemetry()] }),
};
