// The Helm charts the lab installs, pinned by version and by the SHA-256 of their archives (with
// where each digest was read). Part of lab/versions.ts's pins; kept apart because it is one table of
// its own (lab/versions.ts re-exports it).
/** A Helm chart the lab installs: pinned by version and by the SHA-256 of the chart archive (what the
 * chart repository's index.yaml calls `digest`). `up` pulls the archive into .lab/cache/charts/ and
 * refuses one whose digest differs. `digestSource` says where the digest was read. */
export interface ChartPin {
  chart: string;
  version: string;
  /** The app version the chart's Chart.yaml declares (documentation; the images are in the contract). */
  appVersion: string;
  repo: { name: string; url: string };
  sha256: string;
  digestSource: string;
  /** The chart's source, as read for fixtures/charts/contract.json: owner/name@tag path. */
  source: string;
}

export type ChartName = 'kube-prometheus-stack' | 'loki' | 'alloy' | 'jaeger' | 'kiali-server' | 'flagger' | 'loadtester' | 'argo-cd';

// Recorded 2026-12 from the chart repositories' index.yaml files (gh-pages branches) and sources.
export const CHARTS: Record<ChartName, ChartPin> = {
  'kube-prometheus-stack': {
    chart: 'kube-prometheus-stack',
    version: '88.1.3',
    appVersion: 'v0.93.0',
    repo: { name: 'prometheus-community', url: 'https://prometheus-community.github.io/helm-charts' },
    sha256: '8b51a20164aeb3177b1ce20f1d4cb89f103c02c201aa048afc07f73da50c9d73',
    // The prometheus-community index.yaml (≈ 30 MB) was not readable here; this digest is the one a
    // public repository pins and checks with `sha256sum -c` for this archive URL (one source only).
    digestSource: 'a public pin checked with sha256sum -c (index.yaml not readable here): releases/download/kube-prometheus-stack-88.1.3/kube-prometheus-stack-88.1.3.tgz',
    source: 'prometheus-community/helm-charts@kube-prometheus-stack-88.1.3 charts/kube-prometheus-stack',
  },
  loki: {
    chart: 'loki',
    version: '18.11.0',
    appVersion: '3.7.6',
    repo: { name: 'grafana-community', url: 'https://grafana-community.github.io/helm-charts' },
    sha256: 'd4d99424d197e1460878093c9fced02346669ab0698a0dca7c575ab76fff7aeb',
    digestSource: 'grafana-community/helm-charts gh-pages index.yaml (2026-08-20)',
    source: 'grafana-community/helm-charts@loki-18.11.0 charts/loki',
  },
  alloy: {
    chart: 'alloy',
    version: '1.11.1',
    appVersion: 'v1.18.1',
    repo: { name: 'grafana', url: 'https://grafana.github.io/helm-charts' },
    sha256: 'cc4cd48a885c070fe8b2929971552852375c11e92d95fc6337d0c3fa277ac575',
    digestSource: 'grafana/helm-charts gh-pages index.yaml (2026-08-06)',
    source: 'grafana/alloy@helm-chart/1.11.1 operations/helm/charts/alloy',
  },
  jaeger: {
    chart: 'jaeger',
    version: '4.11.1',
    appVersion: '2.19.0',
    repo: { name: 'jaegertracing', url: 'https://jaegertracing.github.io/helm-charts' },
    sha256: '120aad01641b88fd73fb097cd63af94aac4e9d49115877f5f63b52b86b512180',
    digestSource: 'jaegertracing/helm-charts gh-pages index.yaml (2026-06-14)',
    source: 'jaegertracing/helm-charts@jaeger-4.11.1 charts/jaeger',
  },
  'kiali-server': {
    chart: 'kiali-server',
    version: '2.29.0',
    appVersion: 'v2.29.0',
    repo: { name: 'kiali', url: 'https://kiali.org/helm-charts' },
    sha256: '77b88e6bcc657b21c1af595cb87debd707d007b50e6d6bb49d7ffda1331dc749',
    digestSource: 'kiali/helm-charts docs/index.yaml, and the sha256 of docs/kiali-server-2.29.0.tgz itself (the repository serves its archives from git)',
    source: 'kiali/helm-charts docs/kiali-server-2.29.0.tgz',
  },
  // Flagger's chart repository (https://flagger.app) is the gh-pages branch of fluxcd/flagger, which
  // keeps the published archives themselves next to index.yaml; both charts are packaged from the
  // v1.44.0 tag's charts/ folder (the loadtester's version is its own: cmd/loadtester VERSION).
  flagger: {
    chart: 'flagger',
    version: '1.44.0',
    appVersion: '1.44.0',
    repo: { name: 'flagger', url: 'https://flagger.app' },
    sha256: 'bd3279b7436721beaaaaabcf1c347b8cc8f85b258fb239861e3383f49a8f02e5',
    digestSource: 'fluxcd/flagger gh-pages index.yaml (2026-07-21), and the sha256 of gh-pages flagger-1.44.0.tgz itself (the repository serves its archives from git)',
    source: 'fluxcd/flagger gh-pages flagger-1.44.0.tgz (fluxcd/flagger@v1.44.0 charts/flagger)',
  },
  loadtester: {
    chart: 'loadtester',
    version: '0.38.0',
    appVersion: '0.38.0',
    repo: { name: 'flagger', url: 'https://flagger.app' },
    sha256: '27d1031943a73e155a3ff55511ec0eddb7640914ae5761df1cae344645dc8d11',
    digestSource: 'fluxcd/flagger gh-pages index.yaml (2026-07-21), and the sha256 of gh-pages loadtester-0.38.0.tgz itself (the repository serves its archives from git)',
    source: 'fluxcd/flagger gh-pages loadtester-0.38.0.tgz (fluxcd/flagger@v1.44.0 charts/loadtester)',
  },
  // Argo CD (seed 002's GitOps), installed only with LAB_GITOPS=argocd. Its redis-ha dependency is
  // disabled in our values (the chart's plain redis Deployment runs instead).
  'argo-cd': {
    chart: 'argo-cd',
    version: '10.1.1',
    appVersion: 'v3.4.4',
    repo: { name: 'argo', url: 'https://argoproj.github.io/argo-helm' },
    sha256: 'a677dfa6ca7e9f9a71fe9bf54ea86a9011d5c7db8e137c5171e78c4493af20e5',
    digestSource: 'argoproj/argo-helm gh-pages index.yaml (2026-07-02)',
    source: 'argoproj/argo-helm@argo-cd-10.1.1 charts/argo-cd',
  },
};
