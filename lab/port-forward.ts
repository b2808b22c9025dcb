// `lab pf`: kubectl port-forwards to the lab's UIs and apps, bound to 127.0.0.1 only (never beyond),
// through the lab's kubeconfig and context. Runs until Ctrl-C.
import type { V1Service } from '@kubernetes/client-node';
import type { LabContext } from './context.ts';
import { LabError, UsageError } from './errors.ts';

export interface ForwardTarget {
  name: string;
  namespace: string;
  service: string;
  remotePort: number;
  localPort: (ctx: LabContext) => number;
  what: string;
}

export const FORWARD_TARGETS: ForwardTarget[] = [
  { name: 'ingress', namespace: 'istio-system', service: 'istio-ingressgateway', remotePort: 80, localPort: (ctx) => ctx.cfg.httpPort, what: 'Istio ingress gateway (sock-shop at /, eng_app at Host eng-app.localhost)' },
  { name: 'front-end', namespace: 'sock-shop', service: 'front-end', remotePort: 80, localPort: () => 8079, what: 'sock-shop front-end, bypassing the gateway' },
  { name: 'eng-app', namespace: 'eng-app', service: 'eng-app-app-service', remotePort: 3000, localPort: () => 3000, what: 'eng_app, bypassing the gateway' },
];

export function forwardArgv(ctx: LabContext, t: ForwardTarget): string[] {
  return [
    ctx.tool('kubectl'), '--kubeconfig', ctx.cfg.kubeconfig, '--context', ctx.provider.contextName(),
    'port-forward', '--address', '127.0.0.1', '-n', t.namespace, `svc/${t.service}`, `${t.localPort(ctx)}:${t.remotePort}`,
  ];
}

/** Which targets to forward: the named ones, or every one whose Service exists. Where the cluster
 * publishes the ingress on 127.0.0.1 itself (kind), it is not forwarded. */
export async function chooseTargets(ctx: LabContext, names: string[]): Promise<ForwardTarget[]> {
  const unknown = names.filter((n) => !FORWARD_TARGETS.some((t) => t.name === n));
  if (unknown.length) throw new UsageError(`unknown port-forward target ${unknown.join(', ')}; use one of: ${FORWARD_TARGETS.map((t) => t.name).join(', ')}`);
  const wanted = names.length ? FORWARD_TARGETS.filter((t) => names.includes(t.name)) : FORWARD_TARGETS;
  const out: ForwardTarget[] = [];
  for (const t of wanted) {
    if (t.name === 'ingress' && ctx.provider.capabilities.ingressOnHostPort) {
      ctx.log.info(`ingress: already on http://127.0.0.1:${ctx.cfg.httpPort} (${ctx.provider.name} maps it), not forwarded`);
      continue;
    }
    const svc = await ctx.kube().get<V1Service>({ apiVersion: 'v1', kind: 'Service', namespace: t.namespace, name: t.service });
    if (!svc) {
      if (names.includes(t.name)) throw new LabError(`${t.namespace}/${t.service} does not exist; is the lab up? (make lab-up)`);
      continue;
    }
    out.push(t);
  }
  return out;
}

export async function forward(ctx: LabContext, targets: ForwardTarget[]): Promise<void> {
  if (targets.length === 0) throw new LabError('nothing to forward: none of the services exist yet (make lab-up)');
  for (const t of targets) ctx.log.info(`${t.name.padEnd(10)} http://127.0.0.1:${t.localPort(ctx)}  → ${t.namespace}/${t.service}:${t.remotePort}  ${t.what}`);
  ctx.log.info('Ctrl-C stops the forwards.');
  const results = await Promise.all(targets.map((t) => { const [cmd, ...args] = forwardArgv(ctx, t); return ctx.run.run(cmd, args, { inherit: true }); }));
  const failed = results.map((r, i) => [r, targets[i]] as const).filter(([r]) => r.exitCode !== 0);
  if (failed.length) throw new LabError(`port-forward ended: ${failed.map(([r, t]) => `${t.name} (exit ${r.exitCode})`).join(', ')}`);
}
