// Every pinned version, chart, image and checksum the lab uses, in one place.
// Facts (tags, digests, checksums) come from the upstream release pages; nothing else is copied.

/** CLIs the lab drives on a real laptop. `lab doctor` checks their minimum versions and
 * `lab/installer.ts` downloads a missing one into `.lab/bin`, refusing a SHA-256 mismatch. */
export interface ToolPin {
  name: string;
  version: string;
  /** Minimum version accepted when the tool is already on PATH. */
  min: string;
  /** Download URL template: {version} {os} {arch}. */
  url: string;
  /** 'binary' = the download is the executable; 'tar.gz' = extract `member` from the archive. */
  format: 'binary' | 'tar.gz';
  member?: string;
  /** sha256 per `${os}-${arch}`. A platform without an entry cannot be auto-installed. */
  sha256: Record<string, string>;
}

export const TOOLS: Record<'kind' | 'kubectl' | 'helm' | 'istioctl' | 'minikube', ToolPin> = {
  kind: {
    name: 'kind',
    version: 'v0.30.0',
    min: '0.27.0',
    url: 'https://kind.sigs.k8s.io/dl/{version}/kind-{os}-{arch}',
    format: 'binary',
    sha256: {},
  },
  kubectl: {
    name: 'kubectl',
    version: 'v1.34.1',
    min: '1.30.0',
    url: 'https://dl.k8s.io/release/{version}/bin/{os}/{arch}/kubectl',
    format: 'binary',
    sha256: {},
  },
  helm: {
    name: 'helm',
    version: 'v3.19.0',
    min: '3.14.0',
    url: 'https://get.helm.sh/helm-{version}-{os}-{arch}.tar.gz',
    format: 'tar.gz',
    member: '{os}-{arch}/helm',
    sha256: {},
  },
  istioctl: {
    name: 'istioctl',
    version: '1.28.0',
    min: '1.26.0',
    url: 'https://github.com/istio/istio/releases/download/{version}/istioctl-{version}-{os}-{arch}.tar.gz',
    format: 'tar.gz',
    member: 'istioctl',
    sha256: {},
  },
  minikube: {
    name: 'minikube',
    version: 'v1.37.0',
    min: '1.33.0',
    url: 'https://storage.googleapis.com/minikube/releases/{version}/minikube-{os}-{arch}',
    format: 'binary',
    sha256: {},
  },
};

/** What `scripts/testenv.ts` builds from Go modules for tests and `LAB_PROVIDER=sim`.
 * Owned by the testenv builder; changing any value changes the cache key. */
export const TESTENV = {
  kubernetes: 'v1.35.4',
  etcd: 'v3.5.35',
  kwok: 'v0.8.0',
  helm: 'v3.19.0',
  kind: 'v0.33.0',
  /** Istio tags have no `v`, so the module is pinned by pseudo-version; `istioVersion` is the tag it is. */
  istio: '',
  istioVersion: '',
} as const;
