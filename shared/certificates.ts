import { z } from 'zod';

/** Caddy renews at a third of the lifetime left (30 of 90 days): a certificate this close to its end is not being renewed. */
export const EXPIRING_SOON_DAYS = 14;

/** A certificate in the proxy's storage. */
export const CertificateView = z.object({
  domain: z.string(),
  /** Caddy's storage directory of the issuer (which CA and directory issued it), e.g. acme-v02.api.letsencrypt.org-directory. */
  issuerDirectory: z.string(),
  /** The issuing CA's name (its CN, and O when it has one). */
  issuer: z.string(),
  /** When it was issued: the last issuance or renewal. */
  notBefore: z.string(),
  notAfter: z.string(),
  /** Whole days until notAfter (negative once expired). */
  daysLeft: z.number(),
});
export type CertificateView = z.infer<typeof CertificateView>;

export const FAILURE_CAUSES = ['dns', 'unreachable', 'rate-limited', 'caa', 'other'] as const;
export type FailureCause = (typeof FAILURE_CAUSES)[number];

/** The latest failure to obtain a domain's certificate, from the proxy's log. */
export const CertificateFailure = z.object({
  domain: z.string(),
  at: z.string(),
  cause: z.enum(FAILURE_CAUSES),
  /** The ACME server's error, as the proxy logged it. */
  error: z.string(),
  /** What to fix, in a sentence. */
  fix: z.string(),
});
export type CertificateFailure = z.infer<typeof CertificateFailure>;

export const HostCertificates = z.object({
  /** False when the host has no managed proxy (nothing else is then set). */
  proxy: z.boolean(),
  certificates: z.array(CertificateView),
  failures: z.array(CertificateFailure),
});
export type HostCertificates = z.infer<typeof HostCertificates>;

export const CERTIFICATE_STATES = ['valid', 'expiring', 'expired', 'failing', 'not-obtained'] as const;
export type CertificateState = (typeof CERTIFICATE_STATES)[number];

/** One of a tenant's names and its certificate's state. */
export const NameCertificate = z.object({
  domain: z.string(),
  state: z.enum(CERTIFICATE_STATES),
  certificate: CertificateView.nullable(),
  /** Set when the latest attempt to obtain or renew failed after the certificate it has (if any) was issued. */
  failure: CertificateFailure.nullable(),
});
export type NameCertificate = z.infer<typeof NameCertificate>;

export const TenantCertificates = z.object({ proxy: z.boolean(), names: z.array(NameCertificate) });
export type TenantCertificates = z.infer<typeof TenantCertificates>;

/**
 * A name's state: failing when its latest attempt failed after its certificate (if any) was issued,
 * else from the certificate it has; not obtained until the name's first visit asks for one.
 */
export function nameCertificate(domain: string, host: HostCertificates): NameCertificate {
  const lower = domain.toLowerCase();
  const certificate = host.certificates.filter((c) => c.domain === lower).sort((a, b) => b.notBefore.localeCompare(a.notBefore))[0] ?? null;
  const latest = host.failures.find((f) => f.domain === lower) ?? null;
  const failure = latest && (!certificate || Date.parse(latest.at) > Date.parse(certificate.notBefore)) ? latest : null;
  const state: CertificateState = failure ? 'failing' : !certificate ? 'not-obtained' : certificate.daysLeft < 0 ? 'expired' : certificate.daysLeft < EXPIRING_SOON_DAYS ? 'expiring' : 'valid';
  return { domain: lower, state, certificate, failure };
}

/** A host's certificates at a glance: how many names are failing, and how many certificates expire soon (or have). */
export function certificateCounts(host: HostCertificates): { total: number; expiring: number; failing: number } {
  const domains = new Set([...host.certificates.map((c) => c.domain), ...host.failures.map((f) => f.domain)]);
  const states = [...domains].map((domain) => nameCertificate(domain, host).state);
  return {
    total: host.certificates.length,
    expiring: states.filter((s) => s === 'expiring' || s === 'expired').length,
    failing: states.filter((s) => s === 'failing').length,
  };
}
