// CRDs a step's objects need that a chart release normally brings. Where that release cannot be
// installed (sim without a cached archive) the provider may supply the same CRDs (sim: from the test
// environment, fetched from the project's Go module at the chart's version), so the objects are still
// applied for real against their schemas. Used by the mesh-monitors (monitoring.coreos.com) and
// gitops (argoproj.io) steps.
import type { V1CustomResourceDefinition } from '@kubernetes/client-node';
import { waitCrdEstablished } from '../conditions.ts';
import type { LabContext } from '../context.ts';
import { LabError } from '../errors.ts';

/** The CRDs of `names` the cluster does not have. */
export async function missingCrds(ctx: LabContext, names: string[]): Promise<string[]> {
  const live = await Promise.all(names.map((name) => ctx.kube().get<V1CustomResourceDefinition>({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name })));
  return names.filter((_, i) => !live[i]);
}

/** Apply the provider's CRDs of `group` for whatever of `names` is missing, and wait until they are
 * established; when the provider has none, fail with `fix` (which release brings them). */
export async function ensureCrds(ctx: LabContext, group: string, names: string[], what: string, fix: string): Promise<void> {
  const missing = await missingCrds(ctx, names);
  if (!missing.length) return;
  const wanted = (ctx.provider.capabilities.fallbackCrds?.(group) ?? []).filter((c) => missing.includes(c.metadata!.name!));
  if (wanted.length < missing.length) throw new LabError(`${what} ${missing.join(', ')} are missing`, { detail: fix });
  await ctx.kube().apply(wanted);
  for (const c of wanted) await waitCrdEstablished(ctx.kube(), c.metadata!.name!, 60_000);
}
