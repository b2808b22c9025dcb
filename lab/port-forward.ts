// `lab pf`: kubectl port-forwards to the lab's UIs and apps, bound to 127.0.0.1 only (never beyond),
// through the lab's kubeconfig and context. Runs until Ctrl-C; a forward that drops is started again
// (lab/forward-supervisor.ts). The targets themselves are in lab/ui-targets.ts.
import net from 'node:net';
import type { V1Service } from '@kubernetes/client-node';
import type { LabContext } from './context.ts';
import { LabError, UsageError } from './errors.ts';
import { kubectlSpawner } from './forward-spawn.ts';
import { type ForwardSpawner, type SupervisorClock, realClock, superviseAll } from './forward-supervisor.ts';
import { PF_PORTS_KEY, pfLocalPort } from './pf-ports.ts';
import { RELEASES } from './observability/endpoints.ts';
import { decidingSetting } from './observability/profiles.ts';
import { PIPELINE, skippedHere } from './pipeline.ts';
import { FORWARD_TARGETS, type ForwardTarget, installedBy, kialiLinkNote, profilesInstalling, targetLine } from './ui-targets.ts';

export { FORWARD_TARGETS, type ForwardTarget, uiLines } from './ui-targets.ts';

export function forwardArgv(ctx: LabContext, t: ForwardTarget): string[] {
  return [
    ctx.tool('kubectl'), '--kubeconfig', ctx.cfg.kubeconfig, '--context', ctx.provider.contextName(),
    'port-forward', '--address', '127.0.0.1', '-n', t.namespace, `svc/${t.service}`, `${pfLocalPort(ctx.cfg, t.name)}:${t.remotePort}`,
  ];
}

async function serviceExists(ctx: LabContext, t: ForwardTarget): Promise<boolean> {
  return Boolean(await ctx.kube().get<V1Service>({ apiVersion: 'v1', kind: 'Service', namespace: t.namespace, name: t.service }));
}

function whyMissing(ctx: LabContext, t: ForwardTarget): string {
  // Installed by this config but skipped by this provider (e.g. a chart not cached on sim): say that.
  const step = t.release ? PIPELINE.find((s) => s.name === RELEASES[t.release!].release) : undefined;
  const skipped = step && installedBy(ctx.cfg, t) ? skippedHere(ctx, step) : undefined;
  if (skipped) return `its step ${step!.name} is ${skipped}`;
  const setting = t.release ? decidingSetting(ctx.cfg, t.release) : `LAB_PROFILE=${ctx.cfg.profile}`;
  return installedBy(ctx.cfg, t) ? `${setting} installs it but the Service is missing: is the lab up? (make lab-up)` : `not installed with ${setting}`;
}

/** Which targets to forward: the named ones, or every one whose Service exists (the others are
 * listed in one line per reason). Where the cluster publishes the ingress on 127.0.0.1 itself
 * (kind), it is not forwarded. */
export async function chooseTargets(ctx: LabContext, names: string[]): Promise<ForwardTarget[]> {
  const unknown = names.filter((n) => !FORWARD_TARGETS.some((t) => t.name === n));
  if (unknown.length) throw new UsageError(`unknown port-forward target ${unknown.join(', ')}; use one of: ${FORWARD_TARGETS.map((t) => t.name).join(', ')}`);
  const wanted = names.length ? FORWARD_TARGETS.filter((t) => names.includes(t.name)) : FORWARD_TARGETS;
  const out: ForwardTarget[] = [];
  const skipped = new Map<string, string[]>();
  for (const t of wanted) {
    if (t.name === 'ingress' && ctx.provider.capabilities.ingressOnHostPort) {
      ctx.log.info(`ingress: already on http://127.0.0.1:${ctx.cfg.httpPort} (${ctx.provider.name} maps it), not forwarded`);
      continue;
    }
    if (await serviceExists(ctx, t)) {
      out.push(t);
      continue;
    }
    if (names.includes(t.name)) {
      const hint = installedBy(ctx.cfg, t) ? '' : ` (${profilesInstalling(t)} installs it)`;
      throw new LabError(`${t.name}: ${t.namespace}/${t.service} does not exist — ${whyMissing(ctx, t)}${hint}`);
    }
    const why = whyMissing(ctx, t);
    skipped.set(why, [...(skipped.get(why) ?? []), t.name]);
  }
  for (const [why, which] of skipped) ctx.log.info(`not forwarded: ${which.join(', ')} — ${why}`);
  return out;
}

/** The setting that moves a target's local port. */
const portSetting = (t: ForwardTarget) => (t.name === 'ingress' ? 'LAB_HTTP_PORT' : `${PF_PORTS_KEY}=${t.name}=<free port>`);

/** A target left on its default port that LAB_HTTP_PORT / LAB_HTTPS_PORT now takes: a usage error. */
export function portClashes(ctx: LabContext, targets: ForwardTarget[]): string[] {
  const taken = [['LAB_HTTP_PORT', ctx.cfg.httpPort], ['LAB_HTTPS_PORT', ctx.cfg.httpsPort]] as const;
  return targets.flatMap((t) =>
    t.name === 'ingress' ? [] : taken.filter(([, p]) => p === pfLocalPort(ctx.cfg, t.name)).map(([key, p]) => `${t.name}: local port ${p} is ${key} (the ingress); set ${portSetting(t)}`),
  );
}

/** Can we listen on 127.0.0.1:port right now? */
export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** Every target whose local port is taken, named with its port and the setting that moves it. */
export async function busyPorts(ctx: LabContext, targets: ForwardTarget[], isFree: (port: number) => Promise<boolean> = portFree): Promise<string[]> {
  const out: string[] = [];
  for (const t of targets) {
    const port = pfLocalPort(ctx.cfg, t.name);
    if (!(await isFree(port))) out.push(`${t.name}: 127.0.0.1:${port} is already in use (another lab pf? lsof -iTCP:${port} -sTCP:LISTEN); stop that, or set ${portSetting(t)}`);
  }
  return out;
}

export interface ForwardOptions {
  /** Aborted on Ctrl-C / SIGTERM: every forward stops and `forward` returns. */
  signal: AbortSignal;
  /** Where the target lines go (stdout: they may carry passwords, so not the log). */
  write?: (line: string) => void;
  /** Print passwords (the caller passes "stdout is a terminal"). */
  showSecrets?: boolean;
  spawn?: ForwardSpawner;
  clock?: SupervisorClock;
  isFree?: (port: number) => Promise<boolean>;
}

export async function forward(ctx: LabContext, targets: ForwardTarget[], opts: ForwardOptions): Promise<void> {
  if (targets.length === 0) throw new LabError('nothing to forward: none of the services exist yet (make lab-up)');
  const clashes = portClashes(ctx, targets);
  if (clashes.length) throw new UsageError(clashes, `Nothing was started. Choose free ports with ${PF_PORTS_KEY} (see .env.example).`);
  const busy = await busyPorts(ctx, targets, opts.isFree);
  if (busy.length) throw new LabError(busy.length === 1 ? `${busy[0]} — nothing was started` : `local ports in use, nothing was started:\n${busy.map((b) => `  - ${b}`).join('\n')}`);
  const write = opts.write ?? ((l: string) => process.stdout.write(`${l}\n`));
  for (const t of targets) write(targetLine(ctx.cfg, t, opts.showSecrets ?? false));
  const note = targets.some((t) => t.name === 'kiali') ? kialiLinkNote(ctx.cfg) : undefined;
  if (note) write(`  ${note}`);
  ctx.log.info('Ctrl-C stops the forwards; one that drops (its pod restarted) is started again.');
  const ends = await superviseAll(
    targets.map((t) => ({ name: t.name, argv: forwardArgv(ctx, t), service: `${t.namespace}/${t.service}`, serviceExists: () => serviceExists(ctx, t) })),
    { spawn: opts.spawn ?? kubectlSpawner((l) => ctx.log.info(l)), clock: opts.clock ?? realClock, log: (l) => ctx.log.info(l), signal: opts.signal },
  );
  if (opts.signal.aborted) {
    ctx.log.info(`stopped ${targets.length} forward${targets.length === 1 ? '' : 's'}`);
    return;
  }
  const given = ends.flatMap((e) => (e.reason === 'stopped' ? [] : [`${e.name} (${e.detail})`]));
  throw new LabError(`every forward has ended: ${given.join(', ')}`);
}
