// The lab's Grafana objects — datasource and dashboard ConfigMaps that Grafana's sidecars load —
// as manifests/observability/grafana and grafana-loki build them, minus the datasources of releases that are not
// installed (Loki is in the full profile only). Pure: reads the manifests, talks to nothing.
import type { KubernetesObject, V1ConfigMap } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { LabError } from '../errors.ts';
import { loadManifests } from '../manifests.ts';

export const GRAFANA_MANIFESTS = 'observability/grafana';
/** Loki's datasource, applied only with the Loki release. */
export const GRAFANA_LOKI_MANIFESTS = 'observability/grafana-loki';
const bothFolders = () => [...loadManifests(GRAFANA_MANIFESTS), ...loadManifests(GRAFANA_LOKI_MANIFESTS)];

/** Which releases a datasource needs, by Grafana datasource type. */
const RELEASE_OF_TYPE = { loki: 'loki', jaeger: 'jaeger' } as const;

export interface GrafanaInstalls {
  loki: boolean;
  /** Jaeger is in every profile that installs observability; false leaves its datasource out. */
  jaeger?: boolean;
}

/** One datasource as Grafana's provisioning file declares it (the fields the lab sets). */
export interface ProvisionedDatasource {
  name: string;
  uid: string;
  type: string;
  url: string;
  jsonData?: { derivedFields?: Array<{ name: string; matcherRegex: string; datasourceUid: string; url: string }> } & Record<string, unknown>;
}

export const isDatasourceConfigMap = (o: KubernetesObject) => o.kind === 'ConfigMap' && o.metadata?.labels?.grafana_datasource === '1';
export const isDashboardConfigMap = (o: KubernetesObject) => o.kind === 'ConfigMap' && o.metadata?.labels?.grafana_dashboard === '1';

/** The datasources a datasource ConfigMap provisions (every data key is a provisioning file). */
export function datasourcesIn(cm: V1ConfigMap): ProvisionedDatasource[] {
  return Object.entries(cm.data ?? {}).flatMap(([key, text]) => {
    const doc = parse(text) as { apiVersion?: number; datasources?: ProvisionedDatasource[] } | null;
    if (doc?.apiVersion !== 1 || !Array.isArray(doc.datasources)) throw new LabError(`ConfigMap ${cm.metadata?.name} key ${key} is not a Grafana provisioning file (apiVersion: 1, datasources: [...])`);
    return doc.datasources;
  });
}

/** Datasource and dashboard ConfigMaps to apply, for what is installed. */
export function grafanaObjects(installed: GrafanaInstalls, objs: KubernetesObject[] = bothFolders()): KubernetesObject[] {
  const has = { loki: installed.loki, jaeger: installed.jaeger ?? true };
  // No profile installs Loki without Jaeger; if one did, Loki's trace links would lead nowhere.
  if (has.loki && !has.jaeger) throw new LabError("Loki's datasource links trace ids to the Jaeger datasource: install Jaeger with Loki");
  return objs.filter((o) => {
    if (!isDatasourceConfigMap(o)) return true;
    return datasourcesIn(o as V1ConfigMap).every((d) => {
      const release = RELEASE_OF_TYPE[d.type as keyof typeof RELEASE_OF_TYPE];
      return !release || has[release];
    });
  });
}
