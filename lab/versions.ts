// Every pinned version, chart, image and checksum the lab uses, in one place.
// Facts (tags, digests, checksums) come from the upstream release pages; nothing else is copied.

/** CLIs the lab drives on a real laptop. `lab doctor` checks their minimum versions and
 * `lab/installer.ts` downloads a missing one into `.lab/bin`, refusing a SHA-256 mismatch. */
export interface ToolPin {
  name: string;
  version: string;
  /** Minimum version accepted when the tool is already on PATH. */
  min: string;
  /** First version no longer accepted (kind: node images are built for one kind release). */
  below?: string;
  /** Why `min`/`below` are what they are, for the message. */
  rangeWhy?: string;
  /** Download URL template: {version} {os} {arch}. */
  url: string;
  /** 'binary' = the download is the executable; 'tar.gz' = extract `member` from the archive. */
  format: 'binary' | 'tar.gz';
  member?: string;
  /** sha256 per `${os}-${arch}`. A platform without an entry cannot be auto-installed. */
  sha256: Record<string, string>;
}

// Checksums below were read from the tools' release notes or, where noted, agreed by several public
// repositories that pin them; a platform with no entry is never auto-installed (the lab says how to
// install it instead). Recorded 2026-11.
export const TOOLS: Record<'kind' | 'kubectl' | 'helm' | 'istioctl' | 'minikube', ToolPin> = {
  kind: {
    name: 'kind',
    version: 'v0.33.0',
    // The node images in KIND_NODE_IMAGES are the ones built for kind v0.33.0; kind supports a node
    // image only "with the kind version they were released with (and best effort with other
    // releases)" (kind site/content/docs/design/node-image.md).
    min: '0.33.0',
    below: '0.34.0',
    rangeWhy: 'the pinned node images are built for kind v0.33; kind supports a node image only with the release it was built for',
    url: 'https://kind.sigs.k8s.io/dl/{version}/kind-{os}-{arch}',
    format: 'binary',
    sha256: {
      // linux: ≥ 6 independent pins agree; darwin: 2 each.
      'linux-amd64': 'aee6151561422756b764a4ae28e7f44cda5af5a9eead3cc9985112b1de8d8e0d',
      'linux-arm64': '20022bee6cfcd5086cb7234d218e3454e6090022f2a8f55d1fa7fcf42c3867a2',
      'darwin-amd64': '5a99f26f57246dc9319dd294803313197a0f34d33c525b3ea8b655db5916ece0',
      'darwin-arm64': '0c8c7dbe5e23594a198b786c4bc13dacc101fa6196b0cb0b23a1ca44e61f4b4f',
    },
  },
  kubectl: {
    name: 'kubectl',
    version: 'v1.35.8',
    min: '1.33.0',
    url: 'https://dl.k8s.io/release/{version}/bin/{os}/{arch}/kubectl',
    format: 'binary',
    sha256: {
      'linux-amd64': '874d5e72dbb819f43cff16bcd1e4f8bac5b7f2361fe1e55049b0a6c676fb0cbf',
      'linux-arm64': 'cc749967b62f4422260bc9c0aa7a7c55f45175ae38cb8d95767b5d2b7e04c1fd',
    },
  },
  helm: {
    name: 'helm',
    version: 'v3.22.0',
    min: '3.14.0',
    url: 'https://get.helm.sh/helm-{version}-{os}-{arch}.tar.gz',
    format: 'tar.gz',
    member: '{os}-{arch}/helm',
    sha256: {
      // helm v3.22.0 release notes
      'linux-amd64': '1e4ab49e429626cf6c6958d914248b78c9730803c2751b87627e171dc800e7bb',
      'linux-arm64': 'f14e804dfee240f55525b667488fe9adca349e63e00c9af634c0beb1421ac310',
      'darwin-amd64': 'bd1d09f316558dda23698527859600936fed1371021ce0f2272d66b2fdcfa69c',
      'darwin-arm64': '4c9982a6cdeb458b60258df66b55398ca5b19293f6877faffe2909ad6f23dfe0',
    },
  },
  istioctl: {
    name: 'istioctl',
    version: '1.30.4',
    min: '1.29.0',
    // Istio names macOS "osx"; linux assets carry the arch. Only linux checksums could be sourced.
    url: 'https://github.com/istio/istio/releases/download/{version}/istioctl-{version}-{os}-{arch}.tar.gz',
    format: 'tar.gz',
    member: 'istioctl',
    sha256: {
      'linux-amd64': 'feda625a00dfc69135f4692442ef66eb2fa8aea848b483348c330a1138fe392f',
      'linux-arm64': '1045d90978d5cc46ad77a7447bebf1a26c66c796c4499bbd83f62cfcb4631f95',
    },
  },
  minikube: {
    name: 'minikube',
    version: 'v1.38.1',
    min: '1.37.0',
    url: 'https://storage.googleapis.com/minikube/releases/{version}/minikube-{os}-{arch}',
    format: 'binary',
    sha256: {
      // minikube v1.38.1 release notes, "Binary Checksums"
      'linux-amd64': '099477eaf248bcb5bcea8ce78a2898e93ac01461c35189da1848c3de82ecd22e',
      'linux-arm64': 'a0b8a1ebfc8c07a247271d8df98ac0ddd7c8c855b601d402463e2e50c08c6bab',
      'darwin-amd64': 'db11dffba835609988e4e98c3a91a38653ce66ddfa8ea3aaea92d87c54a0a348',
      'darwin-arm64': 'f9b0c70bb7daf38c683c0b6e46dc1b612600247ae826bf74576807746a919ee8',
    },
  },
};

/** kind node images, pinned by digest (kind release notes list the digest built for each kind release).
 * Filled only with digests read from a real source; an entry with an empty digest is refused by validation. */
export const KIND_NODE_IMAGES: Record<string, string> = {
  // kind v0.33.0 release notes. v1.37.0 (kind's default) is left out: Istio 1.30 supports 1.32–1.36.
  'v1.35.8': 'sha256:07b2536e30b803ed61d1677a79df6115f798ce64c80f9e22f6ed45afd09323c0',
  'v1.36.4': 'sha256:099e049362a1526b2db71494e1947aae99bd16290d7c895f2b7ea312e3cbfaed',
  'v1.34.11': 'sha256:44e222ee2132dab25ff87301682f89eb82c7880ea3a1bf543bfe9708fd08d67d',
};

/** Kubernetes version minikube starts when LAB_K8S_VERSION is unset (minikube downloads it itself). */
export const MINIKUBE_DEFAULT_K8S = 'v1.35.1'; // minikube v1.38.1's own default

/**
 * Upstream promtool for the observability tests, built from Go modules by the testenv (Debian's
 * prometheus package is built without Kubernetes service discovery, so its promtool rejects
 * `kubernetes_sd_configs`). Its version is in TESTENV (TESTENV.promtool) since the flagger bump, so
 * changing it moves the testenv to a new cache directory like any other pin;
 * test/observability/promtool.ts checks the built one reports this version.
 * v0.311.3 is Prometheus 3.11.3 (kube-prometheus-stack 88.1.3 runs 3.x).
 */
export const PROMTOOL = { module: 'github.com/prometheus/prometheus', version: 'v0.311.3', prometheusVersion: '3.11.3' } as const;

/** What `scripts/testenv.ts` builds from Go modules for tests and `LAB_PROVIDER=sim`.
 * Owned by the testenv builder; changing any value changes the cache key.
 * Why these pins: docs/testenv-notes.md. */
export const TESTENV = {
  /** kube-apiserver, kube-controller-manager, kube-scheduler, kubectl; staging modules pinned to v0.<minor>.<patch>. */
  kubernetes: 'v1.35.4',
  etcd: 'v3.5.35',
  kwok: 'v0.8.0',
  helm: 'v3.19.0',
  kind: 'v0.33.0',
  /** Istio tags have no `v`, so the module is pinned by pseudo-version; `istioVersion` is the tag it is.
   * b01690e6db7d = master (1.31-dev), eed52ebb66ad = release-1.31 (after 1.31.0-rc.0);
   * 9739e10eb9d7 = release-1.30 head on 2026-08-26, the 1.30.4 release day (see docs/testenv-notes.md). */
  istio: 'v0.0.0-20260826214018-9739e10eb9d7',
  istioVersion: '1.30.4',
  /** The Go proxy we can reach does not serve the exact pseudo-versions istio's go.mod pins for these
   * (403 "not available"), so the wrapper module replaces them with the nearest versions it does serve. */
  istioReplaces: {
    'istio.io/api': 'v1.31.1', // pinned: v1.30.4-0.20260824163423-69099aec2678
    'istio.io/client-go': 'v1.31.1', // pinned: v1.30.4-0.20260824164123-eb36a3f6cac0
    'github.com/envoyproxy/go-control-plane/envoy': 'v1.38.0', // pinned: v1.37.1-0.20260409083702-98966259b99a
    'github.com/envoyproxy/go-control-plane/contrib': 'v1.36.1-0.20260729145720-a2d8c7492908', // pinned: v1.36.1-0.20260409083702-98966259b99a
  },
  /** Lints .github/workflows (the one proof this machine cannot run: a real kind cluster in CI). */
  actionlint: 'v1.7.12',
  /** prometheus-operator: the version kube-prometheus-stack 88.1.3 (CHARTS) ships (its Chart.yaml
   * appVersion). Its module gives the sim the monitoring.coreos.com CRDs
   * (example/prometheus-operator-crd, byte-identical to the chart's crds/ save a source comment; copied
   * into <testenv>/crds/, never into the repo) and cmd/operator, run against the sim API server in
   * test/cluster/prometheus-operator.test.ts. Bump with the chart. */
  prometheusOperator: 'v0.93.0',
  /** Flagger and its loadtester (cmd/flagger, cmd/loadtester: one module, one `go build`), run out of
   * cluster against a sim API server with a real Prometheus (lab/testenv/flagger.ts); its module also
   * gives the sim the flagger.app CRDs (artifacts/flagger/crd.yaml). The chart pin is in CHARTS. */
  flagger: 'v1.44.0',
  /** PROMTOOL's module version, part of the cache key since the flagger bump (see PROMTOOL). */
  promtool: PROMTOOL.version,
  /** Bump when the build recipe (ldflags, tags, package list) changes, to force a fresh cache dir. */
  recipe: 1,
} as const;

/** A small shell image for the lab's own one-off Jobs (emptying LAB_DATA_DIR before `down --purge`). */
export const UTILITY_IMAGE = 'docker.io/library/busybox:1.36.1';

/** Istio the lab installs (istioctl pinned in TOOLS above; 1.30 supports Kubernetes 1.32–1.36). */
export const ISTIO = { version: '1.30.4', hub: 'docker.io/istio' } as const;

export type Platform = 'linux/amd64' | 'linux/arm64';

export interface ImageFact {
  /** Platforms the tag is published for (only the two the lab cares about). */
  platforms: Platform[];
  /** Where that was read. No registry could be queried from where this was written: the facts
   * come from the images' build definitions (docker-library/official-images `Architectures:`
   * lines, which are what the registry's manifest lists are built from; project build scripts). */
  source: string;
}

const AMD64: Platform[] = ['linux/amd64'];
const BOTH: Platform[] = ['linux/amd64', 'linux/arm64'];
const OFFICIAL = (lib: string, commit: string, line: string) => `docker-library/official-images library/${lib} at ${commit}: ${line}`;
const TRAVIS = (repo: string, tag: string) =>
  `microservices-demo/${repo} ${tag}: .travis.yml runs scripts/build.sh (plain docker build) and push.sh on Travis x86_64; no manifest list, so amd64 only (inferred)`;

/** Every image the lab pulls, by the exact reference manifests/ (and the lab's own Jobs, Istio, kind)
 * use, and the platforms it is published for. Why each tag is what it is: the comments in manifests/.
 * A test keeps this table and the rendered manifests in step (and refuses `:latest`). */
export const IMAGE_PLATFORMS: Record<string, ImageFact> = {
  ...Object.fromEntries(Object.entries(KIND_NODE_IMAGES).map(([v, digest]) => [`kindest/node:${v}@${digest}`, {
    platforms: BOTH, source: 'kind site/content/docs/user/known-issues.md: "KIND currently ships pre-built images for AMD64 and ARM64"; hack/release/build/push-node.sh ARCHES="amd64 arm64"',
  }])),
  [`${ISTIO.hub}/pilot:${ISTIO.version}`]: { platforms: BOTH, source: 'istio/release-builder release-1.30 build.sh: ARCH=linux/amd64,linux/arm64 (multi-arch since 1.15)' },
  [`${ISTIO.hub}/proxyv2:${ISTIO.version}`]: { platforms: BOTH, source: 'istio/release-builder release-1.30 build.sh: ARCH=linux/amd64,linux/arm64 (multi-arch since 1.15)' },
  'docker.io/weaveworksdemos/front-end:0.3.12': { platforms: AMD64, source: TRAVIS('front-end', '0.3.12 (b2308a3)') },
  'docker.io/weaveworksdemos/carts:0.4.8': { platforms: AMD64, source: TRAVIS('carts', '0.4.8 (d0a55c9)') },
  'docker.io/weaveworksdemos/catalogue:0.3.5': { platforms: AMD64, source: TRAVIS('catalogue', '0.3.5 (9345225)') },
  'docker.io/weaveworksdemos/catalogue-db:0.3.0': { platforms: AMD64, source: `${TRAVIS('catalogue', '0.3.5')}; FROM mysql:5.7 (amd64 only then)` },
  'docker.io/weaveworksdemos/orders:0.4.7': { platforms: AMD64, source: TRAVIS('orders', '0.4.7') },
  'docker.io/weaveworksdemos/payment:0.4.3': { platforms: AMD64, source: TRAVIS('payment', '0.4.3') },
  'docker.io/weaveworksdemos/queue-master:0.3.1': { platforms: AMD64, source: TRAVIS('queue-master', '0.3.1') },
  'docker.io/weaveworksdemos/shipping:0.4.8': { platforms: AMD64, source: TRAVIS('shipping', '0.4.8') },
  'docker.io/weaveworksdemos/user:0.4.7': { platforms: AMD64, source: TRAVIS('user', '0.4.7 (1968fe0)') },
  'docker.io/weaveworksdemos/user-db:0.3.0': { platforms: AMD64, source: `${TRAVIS('user', '0.4.7')}; docker/user-db FROM mongo:3` },
  'docker.io/mongo:4.4': { platforms: BOTH, source: OFFICIAL('mongo', '02a490b^', 'Tags: 4.4.30, 4.4 / Architectures: amd64, arm64v8') },
  'docker.io/redis:7-alpine': { platforms: BOTH, source: OFFICIAL('redis', '37079fb', 'Tags: …, 7-alpine / Architectures: amd64, arm32v6, arm32v7, arm64v8, i386, ppc64le, riscv64, s390x') },
  'docker.io/rabbitmq:3.6.16-management': { platforms: BOTH, source: OFFICIAL('rabbitmq', '0c904ba6be^', 'Tags: 3.6.16-management, 3.6-management / Architectures: amd64, arm32v5, arm32v7, arm64v8, i386, ppc64le, s390x') },
  'docker.io/kbudde/rabbitmq-exporter:1.0.0': { platforms: BOTH, source: 'kbudde/rabbitmq_exporter v1.0.0 .goreleaser.yml: docker_manifests kbudde/rabbitmq-exporter:{{.Version}} over linux-amd64, arm6, arm7, arm64' },
  'docker.io/miyakz1192/eng_app:1': { platforms: AMD64, source: 'miyakz1192/dockerfiles: eng_app ← eng_app_base:1 ← rails:1 ← ubuntu:19.10, plain docker build + push on x86 (inferred)' },
  'docker.io/mysql:5.7.29': { platforms: AMD64, source: OFFICIAL('mysql', 'a6973e388', 'Tags: 5.7.29, 5.7, 5 with no Architectures line (= amd64 only); Oracle publishes no arm64 5.7') },
  [UTILITY_IMAGE]: { platforms: BOTH, source: OFFICIAL('busybox', 'da3b030^', 'Tags: 1.36.1, 1.36, stable / Architectures: amd64, arm32v5, arm32v6, arm32v7, arm64v8, i386, ppc64le, riscv64, s390x') },
  'registry.k8s.io/volume-nfs:0.8': { platforms: AMD64, source: 'kubernetes test/images/volumes-tester/nfs (FROM centos, plain docker build and push): amd64 only (inferred)' },
  // The observability charts' images, exactly as they render with our values (fixtures/charts/contract.json
  // `images`; operator-made containers included). Platforms from each project's release build, read at
  // the rendered tag unless said otherwise; every one is published for both amd64 and arm64.
  'quay.io/prometheus/prometheus:v3.13.2-distroless': { platforms: BOTH, source: 'prometheus/prometheus v3.13.2: Makefile.common builds one image per DOCKER_ARCHS (amd64 arm64 armv7 ppc64le riscv64 s390x) and common-docker-manifest joins them into one tag (Dockerfile.distroless is a DOCKERFILE_VARIANTS entry: built and pushed per arch as <tag>-distroless)' },
  'quay.io/prometheus/alertmanager:v0.33.1': { platforms: BOTH, source: 'prometheus/alertmanager v0.33.1: Makefile.common builds one image per DOCKER_ARCHS (Makefile: amd64 armv7 arm64 ppc64le s390x) and common-docker-manifest joins them into one tag' },
  'quay.io/prometheus/node-exporter:v1.12.1-distroless': { platforms: BOTH, source: 'prometheus/node_exporter v1.12.1: Makefile.common builds one image per DOCKER_ARCHS (Makefile: amd64 arm64 armv7 ppc64le riscv64 s390x) and common-docker-manifest joins them into one tag (Dockerfile.distroless is a DOCKERFILE_VARIANTS entry: built and pushed per arch as <tag>-distroless)' },
  'quay.io/prometheus-operator/prometheus-operator:v0.93.0': { platforms: BOTH, source: 'prometheus-operator/prometheus-operator v0.93.0: scripts/push-docker-image.sh builds prometheus-operator for CPU_ARCHS "amd64 arm64 arm ppc64le s390x" and pushes a manifest list' },
  'quay.io/prometheus-operator/prometheus-config-reloader:v0.93.0': { platforms: BOTH, source: 'prometheus-operator/prometheus-operator v0.93.0: scripts/push-docker-image.sh builds prometheus-config-reloader for CPU_ARCHS "amd64 arm64 arm ppc64le s390x" and pushes a manifest list' },
  'quay.io/prometheus-operator/prometheus-config-reloader:v0.91.0@sha256:7d9e4eea5f1139e602508871f422b0116c60e87c662f3dcd234d5ab60cd0d8c1': { platforms: BOTH, source: 'prometheus-operator/prometheus-operator v0.93.0 (the same script and CPU_ARCHS as at v0.91.0): scripts/push-docker-image.sh builds prometheus-config-reloader for CPU_ARCHS "amd64 arm64 arm ppc64le s390x" and pushes a manifest list; tag and digest as the alloy chart pins them (grafana/alloy helm-chart/1.11.1 values.yaml configReloader.image.tag)' },
  'registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.19.1': { platforms: BOTH, source: 'kubernetes/kube-state-metrics v2.19.1 Makefile: ALL_ARCH = amd64 arm arm64 ppc64le s390x; push-multi-arch creates and annotates the manifest list' },
  'quay.io/kiwigrid/k8s-sidecar:2.10.0': { platforms: BOTH, source: 'kiwigrid/k8s-sidecar 2.10.0 docker-bake.hcl: platforms linux/amd64, linux/arm64, linux/arm/v7, linux/ppc64le, linux/riscv64 (.github/workflows/release.yaml pushes to docker.io and quay.io)' },
  'docker.io/grafana/grafana:13.1.1': { platforms: BOTH, source: 'grafana/grafana .github/workflows/release-build.yml: build-docker-linux-amd64, -arm64, -s390x, -armv7 jobs (a stored copy of main: the 3 GB repository could not be fetched to read the v13.1.1 tag)' },
  'docker.io/grafana/loki:3.7.6': { platforms: BOTH, source: 'grafana/loki v3.7.6 .github/release-workflows.jsonnet: the loki image is built for platforms.all = linux/amd64, linux/arm64, linux/arm' },
  'docker.io/grafana/alloy:v1.18.1': { platforms: BOTH, source: 'grafana/alloy v1.18.1 scripts/docker-containers (run by .github/workflows/publish-alloy-linux.yml): BUILD_PLATFORMS=linux/amd64,linux/arm64,linux/ppc64le,linux/s390x' },
  'jaegertracing/jaeger:2.19.0': { platforms: BOTH, source: 'jaegertracing/jaeger v2.19.0 Makefile PLATFORMS, of which LINUX_PLATFORMS = linux/amd64,linux/arm64,linux/s390x,linux/ppc64le; scripts/build/build-upload-docker-images.sh builds with --platform=$LINUX_PLATFORMS' },
  'quay.io/kiali/kiali:v2.29.0': { platforms: BOTH, source: 'kiali/kiali v2.29.0 Makefile: TARGET_ARCHS ?= amd64 arm64 s390x ppc64le; make/Makefile.container.mk buildx --platform per arch (the distroless build is the plain tag)' },
  'ghcr.io/fluxcd/flagger:1.44.0': { platforms: BOTH, source: 'fluxcd/flagger v1.44.0 .github/workflows/release.yml (on a v* tag): docker/build-push-action of ./Dockerfile (xx-go cross build, FROM alpine:3.22) for platforms linux/amd64,linux/arm64,linux/arm/v7, tag = pkg/version VERSION 1.44.0 (.goreleaser.yml builds: skip, so the image is the only build)' },
  'ghcr.io/fluxcd/flagger-loadtester:0.38.0': { platforms: BOTH, source: 'fluxcd/flagger v1.44.0 .github/workflows/push-ld.yml (run by hand): docker/build-push-action of ./Dockerfile.loadtester (FROM bash:5.2, helm/kubectl/ghz fetched per TARGETARCH) for platforms linux/amd64,linux/arm64, tag = cmd/loadtester/main.go VERSION 0.38.0' },
  // Argo CD (LAB_GITOPS=argocd): every component, the redis-secret-init Job and the lab's git server run this one image.
  'quay.io/argoproj/argocd:v3.4.4': { platforms: BOTH, source: 'argoproj/argo-cd v3.4.4 .github/workflows/release.yaml: image platforms linux/amd64,linux/arm64,linux/s390x,linux/ppc64le (the registry\'s manifest list was not readable here; docs/argo-cd-facts.md)' },
  'ecr-public.aws.com/docker/library/redis:8.2.3-alpine': { platforms: BOTH, source: 'the argo-cd 10.1.1 chart\'s redis.image: Docker\'s official redis image as ECR Public mirrors it (docker/library); official-images library/redis lists amd64 and arm64v8 for its alpine tags (the mirror\'s manifest list was not readable here; docs/argo-cd-facts.md)' },
};

/** The Helm charts: lab/charts/pins.ts. */
export { CHARTS, type ChartName, type ChartPin } from './charts/pins.ts';
