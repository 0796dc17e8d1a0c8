import type { Command } from 'commander';
import type { CertificateFailure, HostCertificates, NameCertificate } from '../../shared/certificates.js';
import { table } from './actions.js';
import { findHost, print, run } from './context.js';

// `odoo-fleet hosts proxy certs <host>` and `odoo-fleet tenants certs <tenant> --host <host>`:
// certificates on the managed proxy, and why obtaining one failed.

const day = (iso: string) => iso.slice(0, 10);

function failureLines(failures: readonly CertificateFailure[]): string[] {
  return failures.flatMap((f) => [`${f.domain}: FAILING (${f.cause}) since ${f.at}`, `  ${f.fix}`, `  CA said: ${f.error}`]);
}

export function describeHostCertificates(hostName: string, host: HostCertificates): string {
  if (!host.proxy) return `${hostName} has no managed proxy: no certificates of the console's to show.`;
  const rows = host.certificates.map((c) => [c.domain, c.issuer, day(c.notBefore), day(c.notAfter), String(c.daysLeft), c.issuerDirectory]);
  const certs = rows.length ? table([['DOMAIN', 'ISSUER', 'ISSUED', 'EXPIRES', 'DAYS LEFT', 'CA DIRECTORY'], ...rows]) : `${hostName}: no certificates obtained yet (each name gets one on its first HTTPS visit).`;
  return [certs, ...failureLines(host.failures)].join('\n');
}

export function describeNameCertificates(names: readonly NameCertificate[]): string {
  if (names.length === 0) return 'The tenant has no public name.';
  const rows = names.map((n) => [n.domain, n.state, n.certificate?.issuer ?? '-', n.certificate ? day(n.certificate.notBefore) : '-', n.certificate ? `${day(n.certificate.notAfter)} (${n.certificate.daysLeft} days)` : '-']);
  return [table([['DOMAIN', 'STATE', 'ISSUER', 'LAST RENEWAL', 'EXPIRES'], ...rows]), ...failureLines(names.flatMap((n) => (n.failure ? [n.failure] : [])))].join('\n');
}

export function registerHostCertificates(proxy: Command): void {
  proxy
    .command('certs <host>')
    .description("the certificates on the host's managed proxy (issuer, issued, expiry) and names failing to get one, with what to fix")
    .action(run(async (ctx, ref: string) => {
      const host = await findHost(ctx, ref);
      const result = await ctx.call('hosts.certificates', { id: host.id });
      print(ctx, result, () => describeHostCertificates(host.name, result));
    }));
}

export function registerTenantCertificates(tenants: Command): void {
  tenants
    .command('certs <name>')
    .description("the certificates of the tenant's names: issuer, last renewal, expiry, and why obtaining one failed")
    .requiredOption('--host <host>', 'the host')
    .action(run(async (ctx, name: string, opts: { host: string }) => {
      const host = await findHost(ctx, opts.host);
      const result = await ctx.call('tenants.certificates', { hostId: host.id, name });
      print(ctx, result, () => (result.proxy ? describeNameCertificates(result.names) : `${host.name} has no managed proxy: no certificates of the console's to show.`));
    }));
}
