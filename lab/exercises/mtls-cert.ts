// The workload certificate a sidecar holds, as `istioctl proxy-config secret <pod> -n <ns> -o json`
// prints it: Envoy's SecretsConfigDump, whose dynamicActiveSecrets carry the secret named `default`
// (the workload's key pair; `ROOTCA` is the trust bundle) with
// secret.tlsCertificate.certificateChain.inlineBytes = the PEM chain, base64 (istio/istio
// istioctl/pkg/writer/envoy/configdump/secret.go prints that dump as JSON). The leaf certificate's
// URI SAN is the workload's SPIFFE id, spiffe://<trust domain>/ns/<namespace>/sa/<service account>.
import { X509Certificate } from 'node:crypto';

export const TRUST_DOMAIN = 'cluster.local';
export const spiffeId = (namespace: string, serviceAccount: string) => `spiffe://${TRUST_DOMAIN}/ns/${namespace}/sa/${serviceAccount}`;

export interface WorkloadCert {
  /** URI entries of the leaf's subjectAltName. */
  uris: string[];
  notBefore: string;
  notAfter: string;
  notBeforeMs: number;
  notAfterMs: number;
  serialNumber: string;
}

interface SecretsDump {
  dynamicActiveSecrets?: Array<{ name?: string; secret?: { name?: string; tlsCertificate?: { certificateChain?: { inlineBytes?: string } } } }>;
}

/** The leaf of the `default` secret, or why there is none. Never throws. */
export function readWorkloadCert(json: string): WorkloadCert | { problem: string } {
  let dump: SecretsDump;
  try {
    dump = JSON.parse(json) as SecretsDump;
  } catch (err) {
    return { problem: `not JSON: ${(err as Error).message}` };
  }
  const secrets = dump.dynamicActiveSecrets ?? [];
  const def = secrets.find((s) => (s.name ?? s.secret?.name) === 'default');
  if (!def) return { problem: `no secret "default" among ${secrets.length} active (${secrets.map((s) => s.name ?? s.secret?.name).join(', ') || 'none'})` };
  const b64 = def.secret?.tlsCertificate?.certificateChain?.inlineBytes;
  if (!b64) return { problem: 'the default secret has no certificateChain' };
  const pem = Buffer.from(b64, 'base64').toString('utf8');
  const leaf = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
  if (!leaf) return { problem: 'the certificate chain holds no PEM certificate' };
  try {
    const c = new X509Certificate(leaf);
    const uris = (c.subjectAltName ?? '').split(/,\s*/).filter((e) => e.startsWith('URI:')).map((e) => e.slice(4));
    return { uris, notBefore: c.validFrom, notAfter: c.validTo, notBeforeMs: Date.parse(c.validFrom), notAfterMs: Date.parse(c.validTo), serialNumber: c.serialNumber };
  } catch (err) {
    return { problem: `not a certificate: ${(err as Error).message}` };
  }
}
