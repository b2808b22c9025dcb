// Before the lab writes anything to a cluster it did not create (LAB_PROVIDER=existing): is it safe?
// - a service mesh that is already there (an istiod, an IstioOperator, Istio's injection webhook)
//   is never installed over unless --overwrite-mesh says so: `istioctl install` would replace a
//   shared cluster's mesh;
// - a namespace the lab would create that already exists is never adopted: applying it would add
//   the lab's label, and `lab down` deletes what carries that label;
// - without node-group labels the samples never schedule: say so now, not after a 10-minute wait.
// Every problem is reported at once, with its fix.
import type { KubernetesObject, V1Deployment, V1Namespace, V1Node } from '@kubernetes/client-node';
import { NODEGROUP_LABEL } from './config-keys.ts';
import type { LabContext } from './context.ts';
import { FIELD_MANAGER } from './kube-refs.ts';
import { ISTIO_NAMESPACE } from './istio/operator.ts';
import { monitoringNamespace } from './steps/observability.ts';
import { PROFILE_RELEASES } from './observability/profiles.ts';
import { renderStorage } from './steps/storage-objects.ts';
import { SAMPLES, sampleObjects } from './steps/samples.ts';

const ISTIO_STATE = { apiVersion: 'v1', kind: 'ConfigMap', namespace: ISTIO_NAMESPACE, name: 'cloud-native-lab-istio' };
const ours = (o: KubernetesObject | undefined) => o?.metadata?.labels?.['app.kubernetes.io/managed-by'] === FIELD_MANAGER;

/** What of a mesh is there that the lab did not install (empty when none, or when it is the lab's). */
export async function foreignMesh(ctx: LabContext): Promise<string[]> {
  const kube = ctx.kube();
  if (ours(await kube.get(ISTIO_STATE))) return [];
  const found: string[] = [];
  for (const d of await kube.list<V1Deployment>('apps/v1', 'Deployment', { labelSelector: 'app=istiod' })) found.push(`istiod Deployment ${d.metadata?.namespace}/${d.metadata?.name}${d.metadata?.labels?.['istio.io/rev'] ? ` (revision ${d.metadata.labels['istio.io/rev']})` : ''}`);
  for (const o of await kube.list('install.istio.io/v1alpha1', 'IstioOperator')) found.push(`IstioOperator ${o.metadata?.namespace}/${o.metadata?.name}`);
  for (const w of await kube.list('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration')) {
    if (/istio/.test(w.metadata?.name ?? '') || w.metadata?.labels?.['istio.io/rev']) found.push(`MutatingWebhookConfiguration ${w.metadata?.name}`);
  }
  return found;
}

/** Namespaces `up` would create. */
export function labNamespaces(ctx: LabContext): string[] {
  const objs = [
    ...renderStorage(ctx.cfg.storage),
    ...SAMPLES.flatMap((s) => sampleObjects(ctx, s, 'example')),
    ...(PROFILE_RELEASES[ctx.cfg.profile].length ? [monitoringNamespace()] : []),
  ];
  return [...new Set(objs.filter((o) => o.kind === 'Namespace').map((o) => o.metadata!.name!))];
}

export async function existingClusterProblems(ctx: LabContext): Promise<string[]> {
  const kube = ctx.kube();
  const problems: string[] = [];
  const mesh = await foreignMesh(ctx);
  if (mesh.length && !ctx.flags.overwriteMesh) {
    problems.push(`the cluster already has a service mesh the lab did not install (${mesh.join(', ')}); the lab will not run istioctl install over it. Use a cluster without Istio, or pass --overwrite-mesh if replacing this mesh is what you want`);
  }
  for (const ns of labNamespaces(ctx)) {
    const live = await kube.get<V1Namespace>({ apiVersion: 'v1', kind: 'Namespace', name: ns });
    if (live && !ours(live)) problems.push(`namespace ${ns} already exists and the lab did not create it; the lab does not adopt it (lab down would delete it). Delete or rename it, or use another cluster`);
  }
  if (!ctx.provider.labelsNodesAfterCreate()) {
    const nodes = await kube.list<V1Node>('v1', 'Node');
    const missing = ctx.cfg.workerGroups.filter((g, i, all) => all.indexOf(g) === i && !nodes.some((n) => n.metadata?.labels?.[NODEGROUP_LABEL] === g));
    if (missing.length) {
      problems.push(`no node carries ${NODEGROUP_LABEL}=${missing.join('|')}, so the lab's pods would never be scheduled. Label one node per group (kubectl --context ${ctx.provider.contextName()} label node <node> ${NODEGROUP_LABEL}=${missing[0]}), or pass --label-nodes to let the lab label the workers`);
    }
  }
  return problems;
}
