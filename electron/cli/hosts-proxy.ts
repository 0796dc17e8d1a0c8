import fs from 'node:fs';
import type { Command } from 'commander';
import type { ProxyStatus } from '../../shared/hosts.js';
import { int } from './actions.js';
import { registerHostCertificates } from './certificates.js';
import { findHost, print, run, type CliContext } from './context.js';

// `odoo-fleet hosts proxy …`: the host's managed proxy (Caddy) and its routes.

function describe(hostName: string, status: ProxyStatus): string {
  const lines: string[] = [];
  const m = status.managed;
  if (m) {
    const ports = `${m.bindAddress ?? '?'}:${m.httpPort ?? '-'} (HTTP), :${m.httpsPort ?? '-'} (HTTPS)`;
    lines.push(`${hostName}: managed proxy ${m.container} (${m.image}) ${m.running ? 'running' : 'NOT running'} on ${ports}`);
    lines.push(`  base domain: ${m.baseDomain ?? '(none: tenants name theirs at create)'}; certificates from ${m.acmeDirectory ?? "Caddy's default issuers (Let's Encrypt, ZeroSSL)"}`);
    lines.push(m.error ? `  admin API: ${m.error}` : `  tenants routed: ${m.routes}`);
  } else if (status.traefik) {
    lines.push(`${hostName}: routed by its own Traefik (${status.traefik.container}, ${status.traefik.image}); tenants carry its labels and the console leaves routing to it.`);
  } else {
    lines.push(`${hostName} has no proxy: tenants are not reachable at their domains. Set one up: odoo-fleet hosts proxy setup ${hostName} --base-domain <domain>`);
  }
  return lines.join('\n');
}

async function showStatus(ctx: CliContext, hostId: string, hostName: string): Promise<void> {
  const status = await ctx.call('hosts.proxyStatus', { id: hostId });
  print(ctx, status, () => describe(hostName, status));
}

interface SetupOptions {
  image?: string;
  baseDomain?: string;
  acmeDirectory?: string;
  acmeEmail?: string;
  acmeRoot?: string;
  bind?: string;
  httpPort?: number;
  httpsPort?: number;
}

export function registerHostProxy(hosts: Command): void {
  const proxy = hosts.command('proxy').description("the host's managed proxy: HTTPS at each tenant's domain, certificates on demand (Caddy)");
  proxy
    .command('status <host>')
    .description('what routes the host: its managed proxy (image, ports, routes) or a Traefik of its own')
    .action(run(async (ctx, ref: string) => {
      const host = await findHost(ctx, ref);
      await showStatus(ctx, host.id, host.name);
    }));
  proxy
    .command('setup <host>')
    .description('set up the managed proxy, or upgrade it (same command, new options or image): a durable job; routes and certificates are kept')
    .option('--image <image>', 'an image with the official caddy contract', 'caddy:2')
    .option('--base-domain <domain>', 'new tenants answer at <name>.<domain>')
    .option('--acme-directory <url>', "the ACME directory (default: Let's Encrypt, then ZeroSSL)")
    .option('--acme-email <address>', 'contact address for the ACME account (expiry notices)')
    .option('--acme-root <file>', "a PEM root the ACME directory's TLS certificate chains to (a private CA)")
    .option('--bind <address>', 'the host address to listen on', '0.0.0.0')
    .option('--http-port <port>', 'HTTP port (ACME challenges, redirects)', int, 80)
    .option('--https-port <port>', 'HTTPS port', int, 443)
    .action(run(async (ctx, ref: string, opts: SetupOptions) => {
      const host = await findHost(ctx, ref);
      const acme = {
        ...(opts.acmeDirectory ? { directoryUrl: opts.acmeDirectory } : {}),
        ...(opts.acmeEmail ? { email: opts.acmeEmail } : {}),
        ...(opts.acmeRoot ? { rootPem: fs.readFileSync(opts.acmeRoot, 'utf8') } : {}),
      };
      await ctx.runJob(() =>
        ctx.call('hosts.provisionProxy', {
          hostId: host.id,
          ...(opts.image ? { image: opts.image } : {}),
          ...(opts.baseDomain ? { baseDomain: opts.baseDomain } : {}),
          acme,
          ...(opts.bind ? { bindAddress: opts.bind } : {}),
          ...(opts.httpPort ? { httpPort: opts.httpPort } : {}),
          ...(opts.httpsPort ? { httpsPort: opts.httpsPort } : {}),
        }),
      );
      await showStatus(ctx, host.id, host.name);
    }));
  proxy
    .command('sync <host>')
    .description("make the proxy's routes what the host's tenants are (repairs routes changed by hand)")
    .action(run(async (ctx, ref: string) => {
      const host = await findHost(ctx, ref);
      const result = await ctx.call('hosts.syncProxyRoutes', { id: host.id });
      print(ctx, result, () => `${host.name}: ${result.routed} tenant(s) routed, ${result.removed} stale route(s) removed.`);
    }));
  registerHostCertificates(proxy);
}
