// `lab logs <app>` and `lab shell <app>`: the seed's log_*/login_* scripts, for every workload of the
// samples. Targets are derived from the rendered samples, so they can never drift from what `up`
// applies. A database's "shell" is its client, logged in with the password from its own env.
import type { KubernetesObject, V1Deployment, V1Job } from '@kubernetes/client-node';
import type { LabContext } from './context.ts';
import { UsageError, LabError } from './errors.ts';
import { SAMPLES, sampleObjects } from './steps/samples.ts';

export interface AppTarget {
  name: string;
  namespace: string;
  ref: string;
  container: string;
  image: string;
}

/** Short names people use for the seed's apps. */
const ALIASES: Record<string, string> = { 'eng-app': 'eng-app-app', mysql: 'eng-app-mysql', 'db-init': 'eng-app-db-init-job' };

export function appTargets(ctx: LabContext): AppTarget[] {
  const objs: KubernetesObject[] = SAMPLES.flatMap((s) => sampleObjects(ctx, s, 'example'));
  const out: AppTarget[] = [];
  for (const o of objs) {
    if (o.kind !== 'Deployment' && o.kind !== 'Job') continue;
    const spec = (o as V1Deployment | V1Job).spec!.template.spec!;
    const c = spec.containers[0];
    out.push({ name: o.metadata!.name!, namespace: o.metadata!.namespace!, ref: `${o.kind === 'Job' ? 'job' : 'deploy'}/${o.metadata!.name}`, container: c.name, image: c.image ?? '' });
  }
  return out;
}

export function findTarget(ctx: LabContext, name: string): AppTarget {
  const targets = appTargets(ctx);
  const t = targets.find((x) => x.name === (ALIASES[name] ?? name));
  if (!t) {
    throw new UsageError(`unknown app ${JSON.stringify(name)}; use one of: ${[...Object.keys(ALIASES), ...targets.map((x) => x.name)].join(', ')}`);
  }
  return t;
}

/** What `shell` runs inside the container: a database client for databases, else a shell. */
export function shellCommand(t: AppTarget): string[] {
  // The password travels in the environment (MYSQL_PWD, read by the 5.7 client), never on the
  // command line, where anyone who can list the container's processes would see it.
  if (/\/mysql:|catalogue-db/.test(t.image)) return ['sh', '-c', 'MYSQL_PWD="$MYSQL_ROOT_PASSWORD" exec mysql -uroot'];
  if (/\/mongo:/.test(t.image)) return ['sh', '-c', 'exec mongo'];
  if (/\/redis:/.test(t.image)) return ['redis-cli'];
  return ['sh'];
}

function kubectl(ctx: LabContext): string[] {
  return [ctx.tool('kubectl'), '--kubeconfig', ctx.cfg.kubeconfig, '--context', ctx.provider.contextName()];
}

export function logsArgv(ctx: LabContext, t: AppTarget, opts: { follow: boolean; tail: number }): string[] {
  return [...kubectl(ctx), 'logs', '-n', t.namespace, t.ref, '-c', t.container, `--tail=${opts.tail}`, ...(opts.follow ? ['-f'] : [])];
}

export function shellArgv(ctx: LabContext, t: AppTarget): string[] {
  return [...kubectl(ctx), 'exec', '-it', '-n', t.namespace, t.ref, '-c', t.container, '--', ...shellCommand(t)];
}

export async function runAttached(ctx: LabContext, argv: string[]): Promise<void> {
  const res = await ctx.run.run(argv[0], argv.slice(1), { interactive: true });
  if (res.exitCode !== 0) throw new LabError(`${argv.slice(5, 8).join(' ')} exited ${res.exitCode}`);
}
