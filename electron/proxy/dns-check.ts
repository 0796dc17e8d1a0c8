import dns from 'node:dns';
import net from 'node:net';

export interface DnsVerdict {
  domain: string;
  /** The IPv4 and IPv6 addresses DNS gives for the name. */
  found: string[];
  /** The addresses the host answers at. */
  expected: string[];
  ok: boolean;
  /** What to change in DNS when it is not ok. */
  advice: string | null;
}

const resolverFor = (servers: readonly string[] | undefined) => {
  const resolver = new dns.promises.Resolver({ timeout: 3000, tries: 2 });
  if (servers?.length) resolver.setServers([...servers]);
  return resolver;
};

/** A name's A and AAAA records ([] when it has none: NXDOMAIN or no data). */
async function addressesOf(resolver: dns.promises.Resolver, name: string): Promise<string[]> {
  const none = (error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOTFOUND' || error.code === 'ENODATA' || error.code === 'ESERVFAIL') return [] as string[];
    throw error;
  };
  const [v4, v6] = await Promise.all([resolver.resolve4(name).catch(none), resolver.resolve6(name).catch(none)]);
  return [...v4, ...v6];
}

/** The addresses a host answers at: its address (resolved when it is a name) and a specific address its proxy listens on. */
export async function hostAddresses(hostAddress: string, proxyBind: string | null, servers?: readonly string[]): Promise<string[]> {
  const direct = net.isIP(hostAddress) ? [hostAddress] : await addressesOf(resolverFor(servers), hostAddress);
  const bind = proxyBind && proxyBind !== '0.0.0.0' && proxyBind !== '::' ? [proxyBind] : [];
  return [...new Set([...direct, ...bind])];
}

/**
 * Whether a name resolves to the host, before the proxy may ask a certificate authority for it: a
 * name that points elsewhere fails validation (and a public CA counts the failures against the
 * account's rate limits). Says which record to add or change.
 */
export async function checkDomainPointsAtHost(domain: string, expected: string[], servers?: readonly string[]): Promise<DnsVerdict> {
  const found = await addressesOf(resolverFor(servers), domain);
  const ok = found.some((address) => expected.includes(address));
  const want = expected.find((a) => net.isIPv4(a)) ?? expected[0] ?? '<the host address>';
  const record = net.isIPv6(want) ? 'AAAA' : 'A';
  const advice = ok
    ? null
    : found.length === 0
      ? `${domain} has no address in DNS: add an ${record} record ${domain} → ${want} (or a CNAME to a name that has it).`
      : `${domain} points at ${found.join(', ')}, not at this host: change its ${record} record to ${want}.`;
  return { domain, found, expected, ok, advice };
}
