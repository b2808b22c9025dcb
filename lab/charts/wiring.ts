// The in-cluster addresses one component is given to reach another, gathered from where they are
// written (our Helm values, Istio's IstioOperator), so a test can resolve each against the chart
// contract's Services. Pure.
import { encodePath } from './key-paths.ts';

export interface WiredUrl {
  /** Where it was found: `<release> values <key path>` or a file and field. */
  where: string;
  url: string;
}

// http(s) and grpc URLs written out in full.
const URL_IN_TEXT = /\b(?:https?|grpc):\/\/[A-Za-z0-9.-]+(?::\d+)?(?:\/[^\s"'`]*)?/g;

/** Every URL in the string leaves of a values tree (inside embedded configs too, e.g. Alloy's). */
export function urlsInValues(release: string, values: unknown): WiredUrl[] {
  const out: WiredUrl[] = [];
  const walk = (v: unknown, path: string[]) => {
    if (typeof v === 'string') {
      for (const m of v.matchAll(URL_IN_TEXT)) out.push({ where: `${release} values ${encodePath(path)}`, url: m[0] });
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, [...path, String(i)]));
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
    }
  };
  walk(values, []);
  return out;
}

/** Loopback URLs (what a browser on the laptop opens through `lab pf`): not in-cluster targets. */
export const isLoopback = (url: string) => /^[a-z]+:\/\/(127\.0\.0\.1|localhost)(:|\/|$)/i.test(url);

interface OtelProvider {
  name: string;
  opentelemetry?: { service?: string; port?: number };
}

/** The OpenTelemetry tracing providers of an IstioOperator, as host:port targets. */
export function istioTracingTargets(operator: { spec?: { meshConfig?: { extensionProviders?: OtelProvider[] } } }, where: string): WiredUrl[] {
  return (operator.spec?.meshConfig?.extensionProviders ?? [])
    .filter((p) => p.opentelemetry?.service)
    .map((p) => ({ where: `${where} extensionProviders ${p.name}`, url: `${p.opentelemetry!.service}:${p.opentelemetry!.port ?? ''}` }));
}
