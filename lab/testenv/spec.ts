// What the testenv builds: one "group" per Go module, each built by one `go build -o dir/ pkgs…`
// so binaries from the same module share compilation.
import path from 'node:path';
import { PROJECT_ROOT } from '../project-root.ts';
import { PROMTOOL, TESTENV } from '../versions.ts';
import { goPlatform } from './paths.ts';
import { requiredVersion, stagingModules } from './go.ts';

export interface BinSpec {
  name: string;
  /** Go package path of the main package (the output file is its last element). */
  pkg: string;
  /** Arguments that print the version, for `testenv versions`. */
  versionArgs: string[];
}

export interface GroupSpec {
  id: string;
  /** Module that the wrapper module requires. */
  module: string;
  version: string;
  /** Human-readable version printed by `build`. */
  display: string;
  bins: BinSpec[];
  tags?: string[];
  /** `-X importpath.name=value` entries; `goMod` is the upstream module's go.mod text. */
  ldflags(goMod: string): string[];
  /** Extra `replace` lines for the wrapper go.mod. */
  replaces?(goMod: string): string[];
  /** Build this directory of the repo (our own module) instead of a wrapper module. */
  localDir?: string;
}

const k8s = TESTENV.kubernetes; // v1.35.4
const [k8sMajor, k8sMinor] = k8s.replace(/^v/, '').split('.');
const stagingVersion = `v0.${k8s.replace(/^v1\./, '')}`; // v0.35.4
const kv = (pkg: string, vars: Record<string, string>) => Object.entries(vars).map(([k, v]) => `${pkg}.${k}=${v}`);

const kubeVersionVars = {
  gitVersion: k8s,
  gitMajor: k8sMajor,
  gitMinor: k8sMinor,
  gitTreeState: 'clean',
};

export const GROUPS: GroupSpec[] = [
  {
    id: 'kubernetes',
    module: 'k8s.io/kubernetes',
    version: k8s,
    display: k8s,
    bins: ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl'].map((name) => ({
      name,
      pkg: `k8s.io/kubernetes/cmd/${name}`,
      versionArgs: name === 'kubectl' ? ['version', '--client'] : ['--version'],
    })),
    // k8s.io/kubernetes replaces every staging module with ./staging/src/…; the module zip has no
    // staging dir, so point each one at its published v0.<minor>.<patch> instead.
    replaces: (goMod) => stagingModules(goMod).map((m) => `${m} => ${m} ${stagingVersion}`),
    ldflags: () => [
      ...kv('k8s.io/component-base/version', kubeVersionVars),
      ...kv('k8s.io/client-go/pkg/version', kubeVersionVars),
    ],
  },
  {
    id: 'etcd',
    module: 'go.etcd.io/etcd/server/v3',
    version: TESTENV.etcd,
    display: TESTENV.etcd,
    bins: [{ name: 'etcd', pkg: 'go.etcd.io/etcd/server/v3', versionArgs: ['--version'] }],
    // etcd's Version is a constant; only the commit is an ldflag and the module has no commit id.
    ldflags: () => [],
  },
  {
    id: 'kwok',
    module: 'sigs.k8s.io/kwok',
    version: TESTENV.kwok,
    display: TESTENV.kwok,
    bins: ['kwok', 'kwokctl'].map((name) => ({ name, pkg: `sigs.k8s.io/kwok/cmd/${name}`, versionArgs: ['--version'] })),
    ldflags: () =>
      kv('sigs.k8s.io/kwok/pkg/consts', {
        Version: TESTENV.kwok.replace(/^v/, ''),
        // kwokctl's default Kubernetes version: make it the one we build.
        KubeVersion: k8s.replace(/^v/, ''),
      }),
  },
  {
    id: 'helm',
    module: 'helm.sh/helm/v3',
    version: TESTENV.helm,
    display: TESTENV.helm,
    bins: [{ name: 'helm', pkg: 'helm.sh/helm/v3/cmd/helm', versionArgs: ['version', '--short'] }],
    ldflags: (goMod) => {
      // Like helm's Makefile: the default Capabilities.KubeVersion (and the lint deprecation
      // check) follow the client-go helm was built with: v0.34.x -> Kubernetes 1.34.
      const cg = requiredVersion(goMod, 'k8s.io/client-go') ?? 'v0.20.0';
      const [maj, min] = cg.replace(/^v/, '').split('.');
      const kube = { k8sVersionMajor: String(Number(maj) + 1), k8sVersionMinor: min };
      return [
        ...kv('helm.sh/helm/v3/internal/version', { version: TESTENV.helm, gitTreeState: 'clean' }),
        ...kv('helm.sh/helm/v3/pkg/chartutil', kube),
        ...kv('helm.sh/helm/v3/pkg/lint/rules', kube),
      ];
    },
  },
  {
    id: 'kind',
    module: 'sigs.k8s.io/kind',
    version: TESTENV.kind,
    display: TESTENV.kind,
    // kind's versionCore is a constant, so `kind version` is right without ldflags.
    bins: [{ name: 'kind', pkg: 'sigs.k8s.io/kind', versionArgs: ['version'] }],
    ldflags: () => [],
  },
  {
    id: 'istio',
    module: 'istio.io/istio',
    version: TESTENV.istio,
    display: `${TESTENV.istioVersion} (${TESTENV.istio})`,
    bins: [{ name: 'istioctl', pkg: 'istio.io/istio/istioctl/cmd/istioctl', versionArgs: ['version', '--remote=false'] }],
    tags: ['vtprotobuf', 'disable_pgv'], // istio's STANDARD_TAGS
    replaces: () => Object.entries(TESTENV.istioReplaces).map(([m, v]) => `${m} => ${m} ${v}`),
    ldflags: () =>
      kv('istio.io/istio/pkg/version', {
        buildVersion: TESTENV.istioVersion, // also the default image tag of `istioctl manifest generate`
        buildGitRevision: TESTENV.istio.split('-').pop() ?? 'unknown',
        buildStatus: 'Clean',
        buildTag: TESTENV.istioVersion,
        buildHub: 'docker.io/istio', // default image hub
        buildOS: goPlatform().goos,
        buildArch: goPlatform().goarch,
      }),
  },
  {
    id: 'actionlint',
    module: 'github.com/rhysd/actionlint',
    version: TESTENV.actionlint,
    display: TESTENV.actionlint,
    bins: [{ name: 'actionlint', pkg: 'github.com/rhysd/actionlint/cmd/actionlint', versionArgs: ['-version'] }],
    ldflags: () => kv('github.com/rhysd/actionlint', { version: TESTENV.actionlint.replace(/^v/, ''), installedFrom: 'cloud-native-lab-testenv' }),
  },
  {
    id: 'prometheus-operator',
    module: 'github.com/prometheus-operator/prometheus-operator',
    version: TESTENV.prometheusOperator,
    display: TESTENV.prometheusOperator,
    // Run out of cluster against the sim API server (lab/testenv/prometheus-operator.ts).
    bins: [{ name: 'prometheus-operator', pkg: 'github.com/prometheus-operator/prometheus-operator/cmd/operator', versionArgs: ['--version'] }],
    // Like upstream's Makefile (GO_BUILD_LDFLAGS). Version also names the config-reloader image tag
    // the operator puts in the StatefulSets it generates (pkg/operator/defaults.go).
    ldflags: () =>
      kv('github.com/prometheus/common/version', {
        Version: TESTENV.prometheusOperator.replace(/^v/, ''),
        Branch: 'HEAD',
        BuildUser: 'cloud-native-lab-testenv',
      }),
  },
  {
    id: 'flagger',
    module: 'github.com/fluxcd/flagger',
    version: TESTENV.flagger,
    display: `Flagger ${TESTENV.flagger} and its loadtester`,
    // Run out of cluster against the sim API server, each in its own network namespace (lab/testenv/flagger.ts).
    bins: [
      { name: 'flagger', pkg: 'github.com/fluxcd/flagger/cmd/flagger', versionArgs: ['-version'] },
      // The loadtester has no version flag; `-h` prints its flags (its VERSION is a constant, 0.38.0 at v1.44.0).
      { name: 'loadtester', pkg: 'github.com/fluxcd/flagger/cmd/loadtester', versionArgs: ['-h'] },
    ],
    // Like upstream's Dockerfile: VERSION is a constant in pkg/version, only REVISION is an ldflag
    // (the module has no commit id; the tag's commit is in docs/testenv-notes.md).
    ldflags: () => kv('github.com/fluxcd/flagger/pkg/version', { REVISION: TESTENV.flagger }),
  },
  {
    id: 'prometheus',
    module: PROMTOOL.module,
    version: PROMTOOL.version,
    display: `Prometheus ${PROMTOOL.prometheusVersion} promtool (${PROMTOOL.version})`,
    bins: [{ name: 'promtool', pkg: 'github.com/prometheus/prometheus/cmd/promtool', versionArgs: ['--version'] }],
    // Prometheus' own build tags: no service discovery but Kubernetes' (all the lab's configs use).
    tags: ['remove_all_sd', 'enable_kubernetes_sd'],
    ldflags: () => kv('github.com/prometheus/common/version', { Version: PROMTOOL.prometheusVersion, Branch: 'HEAD', Revision: PROMTOOL.version }),
  },
  {
    id: 'kindcheck',
    module: 'cloud-native-lab/tools/kindcheck',
    version: TESTENV.kind,
    display: `kind ${TESTENV.kind} config check`,
    bins: [{ name: 'kindcheck', pkg: '.', versionArgs: ['--version'] }],
    ldflags: () => [],
    localDir: path.join(PROJECT_ROOT, 'tools', 'kindcheck'),
  },
];

export function allBinaries(): string[] {
  return GROUPS.flatMap((g) => g.bins.map((b) => b.name));
}
