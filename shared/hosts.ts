import { z } from 'zod';
import { DomainName } from './tenants.js';

// Host names as the user types them: a DNS name, an IPv4 or a bracket-less IPv6 address.
const hostAddress = z
  .string()
  .trim()
  .min(1, 'address is required')
  .max(253)
  .regex(/^[A-Za-z0-9._:%-]+$/, 'address may hold letters, digits, dots, dashes and colons only');

export const HostName = z
  .string()
  .trim()
  .min(1, 'name is required')
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'name must start with a letter or digit and hold only letters, digits, ".", "_" and "-"');

const port = z.number().int().min(1).max(65535);
const unixUser = z
  .string()
  .trim()
  .min(1, 'user is required')
  .max(64)
  .regex(/^[A-Za-z0-9._][A-Za-z0-9._-]*\$?$/, 'not a valid user name');
const absolutePath = z.string().min(1).max(4096).regex(/^\//, 'must be an absolute path');
const secretText = z.string().min(1).max(16_384);

/** How the console logs in. Secrets travel only inbound; stored secrets are never sent back. */
export const HostAuthInput = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('key'),
    /** Tried in order, as OpenSSH tries several IdentityFile lines. */
    keyPaths: z.array(absolutePath).min(1).max(16),
    passphrase: secretText.optional(),
  }),
  z.object({ kind: z.literal('agent'), socketPath: absolutePath.optional() }),
  z.object({ kind: z.literal('password'), password: secretText }),
]);
export type HostAuthInput = z.infer<typeof HostAuthInput>;

export const HostAuthView = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('key'), keyPaths: z.array(z.string()), hasPassphrase: z.boolean() }),
  z.object({ kind: z.literal('agent'), socketPath: z.string().optional() }),
  z.object({ kind: z.literal('password') }),
]);
export type HostAuthView = z.infer<typeof HostAuthView>;

/** The host's database server (optional until tenants need it). Reached through the SSH tunnel. */
export const DbServerInput = z.object({
  address: hostAddress.default('127.0.0.1'),
  port: port.default(5432),
  adminUser: unixUser.default('postgres'),
  password: secretText.optional(),
  database: z.string().min(1).max(63).default('postgres'),
  /** The address tenants' containers use for it (default: address), e.g. a Docker network's gateway. */
  tenantAddress: hostAddress.optional(),
  /** A Docker network tenants' containers join to reach it. */
  tenantNetwork: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, 'not a Docker network name').optional(),
  /**
   * The image whose pg_dump/psql the host runs for backups, `{major}` standing for the server's
   * major version (default `postgres:{major}`, the official image).
   */
  clientImage: z
    .string()
    .trim()
    .max(255)
    .regex(/^[a-z0-9][A-Za-z0-9._/:@{}-]*$/, 'not a Docker image reference')
    .optional(),
});
export type DbServerInput = z.input<typeof DbServerInput>;

export const DbServerView = z.object({
  address: z.string(),
  port: z.number(),
  adminUser: z.string(),
  database: z.string(),
  hasPassword: z.boolean(),
  tenantAddress: z.string().nullable(),
  tenantNetwork: z.string().nullable(),
  clientImage: z.string().nullable(),
  /** A PostgreSQL container the console set up on the host (hosts.provisionDbServer), not an existing server. */
  managed: z.boolean(),
  /** For a managed server: its image and data volume. */
  image: z.string().nullable(),
  volume: z.string().nullable(),
});
export type DbServerView = z.infer<typeof DbServerView>;

/**
 * How a host's tenants are kept apart. `per-tenant`: each tenant's containers on a bridge network
 * of their own; only the database server and the proxy join every one. `shared-network`: an
 * existing database server reached on a Docker network of its own (dbServer.tenantNetwork), which
 * every tenant joins too, so tenants can reach each other there.
 */
export const TenantIsolation = z.enum(['per-tenant', 'shared-network']);
export type TenantIsolation = z.infer<typeof TenantIsolation>;

/** The network every tenant of the host joins besides its own, if any (see TenantIsolation). */
export function sharedTenantNetworkOf(db: Pick<DbServerView, 'managed' | 'tenantNetwork'> | null): string | null {
  return db && !db.managed ? db.tenantNetwork : null;
}

export const tenantIsolationOf = (db: Pick<DbServerView, 'managed' | 'tenantNetwork'> | null): TenantIsolation => (sharedTenantNetworkOf(db) ? 'shared-network' : 'per-tenant');

const dockerImageRef = z
  .string()
  .trim()
  .min(1)
  .max(255)
  .regex(/^[a-z0-9][A-Za-z0-9._/:@-]*$/, 'not a Docker image reference');
const dockerObjectName = z.string().trim().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, 'letters, digits, "_", "." and "-" only, starting with a letter or digit');

/** The container a managed database server runs in; tenants reach it by this name on its network. */
export const MANAGED_DB_CONTAINER = 'fleet-postgres';

/** Setting up a PostgreSQL container on the host as its database server. */
export const ManagedDbServerInput = z
  .object({
    hostId: z.string().uuid(),
    /** Any image with the official postgres image's contract (POSTGRES_PASSWORD_FILE, POSTGRES_USER, PGDATA). */
    image: dockerImageRef
      .default('postgres:16'),
    /** The Docker network the server and the tenants' containers share (created if missing). */
    network: dockerObjectName.default('fleet'),
    /** The data volume (must not exist yet). */
    volume: dockerObjectName.default('fleet-postgres-data'),
  })
  .strict();
export type ManagedDbServerInput = z.input<typeof ManagedDbServerInput>;

export const SHA256_FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;
export const Fingerprint = z.string().regex(SHA256_FINGERPRINT, 'expected an OpenSSH SHA256 fingerprint');

export const HostInput = z.object({
  name: HostName,
  address: hostAddress,
  port: port.default(22),
  user: unixUser,
  auth: HostAuthInput,
  /** Id of another stored host to jump through (ProxyJump); chains follow that host's own jump. */
  jumpHostId: z.string().uuid().optional(),
  dockerSocket: absolutePath.default('/var/run/docker.sock'),
  dbServer: DbServerInput.optional(),
  /** The fingerprint the user confirmed; the connection is refused unless the host presents it. */
  trustedFingerprint: Fingerprint,
});
export type HostInput = z.input<typeof HostInput>;

export const HostUpdateInput = z.object({
  id: z.string().uuid(),
  name: HostName.optional(),
  user: unixUser.optional(),
  auth: HostAuthInput.optional(),
  dockerSocket: absolutePath.optional(),
  /** null removes the settings. */
  dbServer: DbServerInput.nullable().optional(),
});

export const ConnectionState = z.enum(['idle', 'connecting', 'connected', 'backoff', 'failed']);
export type ConnectionState = z.infer<typeof ConnectionState>;

export const HostView = z.object({
  id: z.string(),
  name: z.string(),
  address: z.string(),
  port: z.number(),
  user: z.string(),
  auth: HostAuthView,
  jumpHostId: z.string().nullable(),
  dockerSocket: z.string(),
  dbServer: DbServerView.nullable(),
  /** How its tenants are kept apart (from its database server's settings). */
  isolation: TenantIsolation,
  hostKey: z.object({ type: z.string(), fingerprint: z.string() }),
  createdAt: z.string(),
  connection: z.object({
    state: ConnectionState,
    lastError: z.string().nullable(),
    since: z.string().nullable(),
  }),
});
export type HostView = z.infer<typeof HostView>;

export const ProbeInput = z.object({
  address: hostAddress,
  port: port.default(22),
  jumpHostId: z.string().uuid().optional(),
});
export const ProbeResult = z.object({
  keyType: z.string(),
  fingerprint: z.string(),
  /** What ~/.ssh/known_hosts says of this key: a match means OpenSSH already trusts it. */
  knownHosts: z.enum(['match', 'mismatch', 'absent']),
  knownHostsFingerprint: z.string().optional(),
});
export type ProbeResult = z.infer<typeof ProbeResult>;

export const CheckStep = z.object({
  step: z.enum(['connect', 'os', 'docker', 'postgres', 'resources']),
  status: z.enum(['ok', 'warn', 'fail', 'skipped']),
  detail: z.string(),
  hint: z.string().optional(),
  ms: z.number(),
});
export type CheckStep = z.infer<typeof CheckStep>;
export const HostCheck = z.object({ hostId: z.string(), ok: z.boolean(), steps: z.array(CheckStep) });
export type HostCheck = z.infer<typeof HostCheck>;

export const Container = z.object({
  id: z.string(),
  name: z.string(),
  image: z.string(),
  state: z.string(),
  status: z.string(),
  ports: z.array(z.string()),
  created: z.string(),
  labels: z.record(z.string(), z.string()),
});
export type Container = z.infer<typeof Container>;

export const HostOverview = z.object({
  hostId: z.string(),
  docker: z.object({
    version: z.string(),
    apiVersion: z.string(),
    os: z.string(),
    kernel: z.string(),
    cpus: z.number(),
    memoryBytes: z.number(),
    containersRunning: z.number(),
    containersTotal: z.number(),
    images: z.number(),
    storageDriver: z.string(),
  }),
  disk: z.object({ path: z.string(), totalBytes: z.number(), usedBytes: z.number(), availableBytes: z.number() }),
  memory: z.object({ totalBytes: z.number(), availableBytes: z.number() }),
  containers: z.array(Container),
  fetchedAt: z.string(),
});
export type HostOverview = z.infer<typeof HostOverview>;

/** One candidate from ~/.ssh/config, resolved as `ssh -G` would resolve it. */
export const SshImportCandidate = z.object({
  alias: z.string(),
  hostName: z.string(),
  port: z.number(),
  user: z.string(),
  identityFiles: z.array(z.string()),
  proxyJump: z.array(z.object({ user: z.string().optional(), host: z.string(), port: z.number().optional() })),
  identityAgent: z.string().optional(),
  alreadyAdded: z.boolean(),
});
export type SshImportCandidate = z.infer<typeof SshImportCandidate>;

const ipv4 = z.string().regex(/^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/, 'not an IPv4 address');

/** Setting up (or upgrading) the host's managed reverse proxy: Caddy, with certificates on demand. */
export const ManagedProxyInput = z
  .object({
    hostId: z.string().uuid(),
    /** Any image with the official caddy image's contract (/usr/bin/caddy, /bin/sh, XDG_CONFIG_HOME=/config, XDG_DATA_HOME=/data). */
    image: dockerImageRef
      .default('caddy:2'),
    /** New tenants answer at <name>.<baseDomain>. */
    baseDomain: DomainName.optional(),
    acme: z
      .object({
        /** The ACME directory (default: Let's Encrypt, then ZeroSSL, as Caddy does). */
        directoryUrl: z.string().trim().url().max(500).refine((url) => url.startsWith('https://'), 'an ACME directory is served over https').optional(),
        /** The contact address for the ACME account (expiry notices). */
        email: z.string().trim().email().max(254).optional(),
        /** The root a private ACME directory's TLS certificate chains to (PEM). */
        rootPem: z.string().max(20_000).regex(/^-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----\s*$/, 'not a PEM certificate').optional(),
      })
      .strict()
      .default({}),
    /** The host address the proxy listens on (all by default). */
    bindAddress: ipv4.default('0.0.0.0'),
    httpPort: port.default(80),
    httpsPort: port.default(443),
  })
  .strict()
  .refine((input) => input.httpPort !== input.httpsPort, { message: 'HTTP and HTTPS need two different ports', path: ['httpsPort'] });
export type ManagedProxyInput = z.input<typeof ManagedProxyInput>;

/** What routes a host's tenants: the managed proxy, a Traefik of the admin's own, or nothing. */
export const ProxyStatus = z.object({
  managed: z
    .object({
      container: z.string(),
      image: z.string(),
      running: z.boolean(),
      baseDomain: z.string().nullable(),
      bindAddress: z.string().nullable(),
      httpPort: z.number().nullable(),
      httpsPort: z.number().nullable(),
      /** Tenants routed (null when the admin API did not answer). */
      routes: z.number().nullable(),
      acmeDirectory: z.string().nullable(),
      /** Why the admin API could not be read, if it could not. */
      error: z.string().nullable(),
    })
    .nullable(),
  /** A Traefik the admin runs: the console then leaves routing to it (tenants carry Traefik labels). */
  traefik: z.object({ container: z.string(), image: z.string() }).nullable(),
});
export type ProxyStatus = z.infer<typeof ProxyStatus>;
