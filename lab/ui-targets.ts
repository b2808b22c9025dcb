// The lab's UIs and apps as `lab pf` forwards them: where each lives in the cluster (the UIs from
// lab/observability/endpoints.ts, never retyped), its local port (lab/pf-ports.ts), what it shows
// and how you log in. Also the lines `lab pf` and the summary after `up` print.
//
// Passwords are printed only when `showSecrets` (the caller passes "stdout is a terminal"): output
// redirected to a file or a CI log says where the password is instead.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { LabConfig } from './config.ts';
import { argocdAdminFile, readArgocdAdmin } from './gitops/argocd-admin.ts';
import { ENDPOINTS, RELEASES, type Endpoint } from './observability/endpoints.ts';
import { GRAFANA_ADMIN_FILE, readGrafanaAdmin } from './observability/grafana-admin.ts';
import { GITOPS_RELEASES, installs, profilesWith, type ReleaseKey } from './observability/profiles.ts';
import { PF_DEFAULT_PORTS, PF_PORTS_KEY, pfLocalPort, type PfTargetName } from './pf-ports.ts';
import { readEngAppEnv } from './samples/eng-app-secret.ts';
import { engAppEnvFile } from './steps/samples.ts';

export type Login =
  | { kind: 'none' }
  | { kind: 'anonymous' }
  | { kind: 'password'; user: string; password: string; file: string }
  | { kind: 'not yet'; file: string };

export interface ForwardTarget {
  name: PfTargetName;
  namespace: string;
  service: string;
  remotePort: number;
  /** URL path of the UI ('' = /). */
  path: string;
  what: string;
  /** The observability release that creates it (lab/observability/profiles.ts decides per
   * LAB_PROFILE); undefined = Istio or a sample, installed with every profile. */
  release?: ReleaseKey;
  login(cfg: LabConfig): Login;
}

const none = (): Login => ({ kind: 'none' });

function grafanaLogin(cfg: LabConfig): Login {
  const admin = readGrafanaAdmin(cfg.root);
  return admin ? { kind: 'password', user: admin.user, password: admin.password, file: GRAFANA_ADMIN_FILE } : { kind: 'not yet', file: GRAFANA_ADMIN_FILE };
}

/** Argo CD's admin, as `lab up` read it from argocd-initial-admin-secret. */
function argocdLogin(cfg: LabConfig): Login {
  const admin = readArgocdAdmin(cfg.stateDir);
  const file = path.relative(cfg.root, argocdAdminFile(cfg.stateDir));
  return admin ? { kind: 'password', user: admin.user, password: admin.password, file } : { kind: 'not yet', file };
}

/** eng_app's first user, created by its db-init Job from eng-app.env. */
function engAppLogin(cfg: LabConfig): Login {
  const file = engAppEnvFile(cfg);
  if (!existsSync(file)) return { kind: 'not yet', file: 'eng-app.env' };
  const env = readEngAppEnv(file);
  return env.INIT_USER_EMAIL && env.INIT_USER_PASSWD ? { kind: 'password', user: env.INIT_USER_EMAIL, password: env.INIT_USER_PASSWD, file: 'eng-app.env' } : none();
}

function ui(name: PfTargetName, e: Endpoint, release: ReleaseKey, what: string, login: (cfg: LabConfig) => Login): ForwardTarget {
  return { name, namespace: e.namespace, service: e.service, remotePort: e.port, path: e.path, release, what, login };
}

export const FORWARD_TARGETS: ForwardTarget[] = [
  { name: 'ingress', namespace: 'istio-system', service: 'istio-ingressgateway', remotePort: 80, path: '', what: 'Istio ingress gateway (sock-shop at /, eng_app at Host eng-app.localhost)', login: none },
  { name: 'front-end', namespace: 'sock-shop', service: 'front-end', remotePort: 80, path: '', what: 'sock-shop front-end, bypassing the gateway', login: none },
  { name: 'eng-app', namespace: 'eng-app', service: 'eng-app-app-service', remotePort: 3000, path: '', what: 'eng_app, bypassing the gateway', login: engAppLogin },
  ui('grafana', ENDPOINTS.grafana, 'prometheusStack', 'dashboards: Istio mesh, services, workloads; logs (Loki) and traces (Jaeger)', grafanaLogin),
  ui('prometheus', ENDPOINTS.prometheus, 'prometheusStack', 'metrics and targets (istio_requests_total, the sidecars, istiod)', () => ({ kind: 'none' })),
  ui('alertmanager', ENDPOINTS.alertmanager, 'prometheusStack', 'alerts from Prometheus rules', () => ({ kind: 'none' })),
  ui('kiali', ENDPOINTS.kiali, 'kiali', 'mesh graph, traffic split, Istio config validation', () => ({ kind: 'anonymous' })),
  ui('jaeger', ENDPOINTS.jaegerQuery, 'jaeger', 'traces of requests through the gateway and the samples', () => ({ kind: 'none' })),
  ui('argocd', ENDPOINTS.argocdServer, 'argocd', 'Argo CD: the app-of-apps tree, each Application\'s sync and health', argocdLogin),
];

export function findForwardTarget(name: string): ForwardTarget | undefined {
  return FORWARD_TARGETS.find((t) => t.name === name);
}

export const installedBy = (cfg: LabConfig, t: ForwardTarget) => t.release === undefined || installs(cfg, t.release);

/** "LAB_PROFILE=standard or full", for a target the current profile does not install. */
export function profilesInstalling(t: ForwardTarget): string {
  if (t.release && GITOPS_RELEASES.includes(t.release)) return 'LAB_GITOPS=argocd';
  return t.release ? profilesWith(t.release).map((p) => `LAB_PROFILE=${p}`).join(' or ') : 'every profile';
}

export function localUrl(cfg: LabConfig, t: ForwardTarget): string {
  return `http://127.0.0.1:${pfLocalPort(cfg, t.name)}${t.path || '/'}`;
}

export function loginText(login: Login, showSecrets: boolean): string {
  switch (login.kind) {
    case 'none':
      return 'none';
    case 'anonymous':
      return 'anonymous';
    case 'not yet':
      return `(${login.file} is created by the next lab up)`;
    case 'password':
      return `${login.user} / ${showSecrets ? login.password : `(password in ${login.file})`}`;
  }
}

/** name, URL, → ns/svc:port, what it shows, login. */
export function targetLine(cfg: LabConfig, t: ForwardTarget, showSecrets: boolean): string {
  const to = `→ ${t.namespace}/${t.service}:${t.remotePort}`;
  return `  ${t.name.padEnd(12)} ${localUrl(cfg, t).padEnd(29)} ${to.padEnd(52)} ${t.what}; login: ${loginText(t.login(cfg), showSecrets)}`;
}

/** Kiali's links to Grafana and Jaeger use the default local ports; say so when they were moved. */
export function kialiLinkNote(cfg: LabConfig): string | undefined {
  const moved = (['grafana', 'jaeger'] as const).filter((n) => pfLocalPort(cfg, n) !== PF_DEFAULT_PORTS[n]);
  if (!moved.length) return undefined;
  const where = moved.map((n) => `${n} on ${pfLocalPort(cfg, n)} instead of ${PF_DEFAULT_PORTS[n]}`).join(', ');
  return `note: Kiali's links to Grafana and Jaeger point at their default local ports; ${PF_PORTS_KEY} puts ${where}, so open those from the URLs above, not from Kiali`;
}

/** For the summary after `up`: every UI and app the profile installs, with URL and login. */
export function uiLines(cfg: LabConfig, opts: { showSecrets: boolean; skippedSteps?: string[] }): string[] {
  // A release this provider skipped (sim without its chart archive) has no UI to list.
  const skipped = new Set(opts.skippedSteps ?? []);
  const targets = FORWARD_TARGETS.filter((t) => t.name !== 'ingress' && installedBy(cfg, t) && !(t.release && skipped.has(RELEASES[t.release].release)));
  if (!targets.length) return [];
  const lines = ['UIs and apps (npm run lab -- pf forwards them to 127.0.0.1 until Ctrl-C; `pf grafana kiali` only those):'];
  lines.push(...targets.map((t) => targetLine(cfg, t, opts.showSecrets)));
  const note = targets.some((t) => t.name === 'kiali') ? kialiLinkNote(cfg) : undefined;
  if (note) lines.push(`  ${note}`);
  return lines;
}
