// The local ports of `lab pf` (127.0.0.1 only) and the LAB_PF_PORTS setting that moves them.
// No imports beyond the suggester: lab/config.ts validates the setting, and `lab --help` lists the
// target names, without loading the Kubernetes client.
import { suggest } from './suggest.ts';

export const PF_PORTS_KEY = 'LAB_PF_PORTS';

/** Every target `lab pf` knows, in the order it prints them. The ingress is forwarded to
 * LAB_HTTP_PORT (where kind publishes it itself); the rest use seed 002's local ports. */
export const PF_DEFAULT_PORTS = {
  ingress: undefined,
  'front-end': 8079,
  'eng-app': 3000,
  grafana: 8000,
  prometheus: 9090,
  alertmanager: 9093,
  kiali: 20001,
  jaeger: 16686,
  // Seed 002 forwards Argo CD to 8080, which is the ingress's LAB_HTTP_PORT here.
  argocd: 8081,
} as const satisfies Record<string, number | undefined>;

export type PfTargetName = keyof typeof PF_DEFAULT_PORTS;
export const PF_TARGET_NAMES = Object.keys(PF_DEFAULT_PORTS) as PfTargetName[];

/** Local port of a target: LAB_PF_PORTS's choice, else the default; the ingress takes LAB_HTTP_PORT. */
export function pfLocalPort(cfg: { httpPort: number; pfPorts: Partial<Record<string, number>> }, name: PfTargetName): number {
  if (name === 'ingress') return cfg.httpPort;
  return cfg.pfPorts[name] ?? PF_DEFAULT_PORTS[name];
}

/**
 * Parse LAB_PF_PORTS (`grafana=3001,kiali=20002`; spaces around entries allowed). `label` is how the
 * setting is shown in messages (with its value and where it came from). Every problem is pushed, each
 * naming the setting and the fix; the ports that parsed are returned.
 */
export function parsePfPorts(value: string | undefined, ports: { httpPort?: number; httpsPort?: number }, label: string, problems: string[]): Partial<Record<PfTargetName, number>> {
  const out: Partial<Record<PfTargetName, number>> = {};
  if (!value || value.trim() === '') return out;
  const names = PF_TARGET_NAMES.filter((n) => n !== 'ingress');
  const example = 'write it like LAB_PF_PORTS=grafana=3001,kiali=20002';
  for (const entry of value.split(',').map((e) => e.trim())) {
    if (entry === '') continue;
    const m = /^([^=\s]+)\s*=\s*(\S*)$/.exec(entry);
    if (!m) {
      problems.push(`${label}: "${entry}" is not name=port; ${example}`);
      continue;
    }
    const [, name, portText] = m;
    if (name === 'ingress') {
      problems.push(`${label}: the ingress is forwarded to LAB_HTTP_PORT; remove ingress=${portText} from LAB_PF_PORTS and set LAB_HTTP_PORT instead`);
      continue;
    }
    if (!(names as string[]).includes(name)) {
      const near = suggest(name, names);
      problems.push(`${label}: "${name}" is not a target of lab pf${near ? ` (did you mean ${near}?)` : ''}; use one of: ${names.join(', ')}`);
      continue;
    }
    if (name in out) {
      problems.push(`${label}: ${name} is given twice; keep one ${name}=port`);
      continue;
    }
    const port = /^\d+$/.test(portText) ? Number(portText) : NaN;
    if (!(Number.isInteger(port) && port >= 1 && port <= 65535)) {
      problems.push(`${label}: ${name}=${portText} is not a TCP port; give a whole number from 1 to 65535 (${example})`);
      continue;
    }
    out[name as PfTargetName] = port;
  }
  for (const [name, port] of Object.entries(out) as Array<[PfTargetName, number]>) {
    if (port === ports.httpPort) problems.push(`${label}: ${name}=${port} is LAB_HTTP_PORT (the ingress); choose another port for ${name}`);
    if (port === ports.httpsPort) problems.push(`${label}: ${name}=${port} is LAB_HTTPS_PORT (the ingress); choose another port for ${name}`);
  }
  // Two targets on one local port (both moved there, or one moved onto another's default).
  const effective = names.map((n) => [n, out[n] ?? PF_DEFAULT_PORTS[n]] as const);
  for (let i = 0; i < effective.length; i++) {
    for (let j = i + 1; j < effective.length; j++) {
      const [a, pa] = effective[i];
      const [b, pb] = effective[j];
      if (pa !== pb || (!(a in out) && !(b in out))) continue;
      const fix = a in out && b in out ? 'one of them' : a in out ? a : b;
      problems.push(`${label}: ${a} and ${b} would both listen on 127.0.0.1:${pa}; give ${fix} another port`);
    }
  }
  return out;
}
