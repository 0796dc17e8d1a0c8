import { z } from 'zod';

// A tenant = one Odoo container + one PostgreSQL database and role + one filestore volume +
// routing labels. The spec is validated field by field before any job runs.

/** A DNS label that is also a safe database, role and volume name stem. */
export const TenantName = z
  .string()
  .trim()
  .min(2, 'at least 2 characters')
  .max(40, 'at most 40 characters')
  .regex(/^[a-z][a-z0-9-]*[a-z0-9]$/, 'lowercase letters, digits and "-", starting with a letter and not ending with "-" (it becomes a DNS label)')
  .refine((name) => !name.includes('--'), 'no "--" (reserved in DNS labels)');

export const ODOO_VERSIONS = ['16.0', '17.0', '18.0'] as const;

const identifier = (what: string) =>
  z
    .string()
    .min(1)
    .max(63, `${what} names are at most 63 bytes in PostgreSQL`)
    .regex(/^[a-z_][a-z0-9_]*$/, `${what}: lowercase letters, digits and "_", starting with a letter or "_"`);

export const imageRepository = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$|^[a-z0-9.-]+(:\d+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)+$/, 'not a Docker image repository (e.g. odoo or registry.example.com/team/odoo)');
export const imageTag = z.string().min(1).max(128).regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, 'not a Docker image tag');

const hostnameLabel = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
export const DomainName = z
  .string()
  .trim()
  .toLowerCase()
  .max(200)
  .refine((value) => value.split('.').length >= 2 && value.split('.').every((label) => hostnameLabel.test(label)), 'not a domain name (e.g. shops.example.com)');

const RESERVED_ENV = new Set(['HOST', 'PORT', 'USER', 'PASSWORD', 'PASSWORD_FILE', 'ODOO_RC']);
// Checked per key (not with a key schema) so each bad name gets its own message and path.
const TenantEnv = z
  .record(z.string(), z.string().max(4096))
  .superRefine((env, ctx) => {
    for (const name of Object.keys(env)) {
      if (!/^[A-Z_][A-Z0-9_]*$/.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: 'environment variable names are uppercase letters, digits and "_"' });
      else if (RESERVED_ENV.has(name)) ctx.addIssue({ code: 'custom', path: [name], message: 'set by the console itself (database connection and config)' });
    }
  });

export const MailServerInput = z.object({
  host: z.string().trim().min(1).max(253).regex(/^[A-Za-z0-9.-]+$/, 'not a host name'),
  port: z.number().int().min(1).max(65535).default(587),
  security: z.enum(['none', 'starttls', 'ssl']).default('starttls'),
  user: z.string().max(255).optional(),
  password: z.string().min(1).max(1024).optional(),
  from: z.string().email('not an e-mail address').optional(),
});

export const TenantSpecInput = z
  .object({
    name: TenantName,
    hostId: z.string().uuid(),
    odooVersion: z.enum(ODOO_VERSIONS).default('17.0'),
    image: imageRepository.default('odoo'),
    /** Defaults to the Odoo version. */
    tag: imageTag.optional(),
    database: identifier('database').optional(),
    role: identifier('role').optional(),
    volume: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/, 'not a Docker volume name').optional(),
    cpus: z.number().min(0.1).max(256).optional(),
    memoryMb: z.number().int().min(256, 'Odoo needs at least 256 MiB').max(1_048_576).optional(),
    workers: z.number().int().min(0).max(64).default(2),
    /** The public host name is <name>.<domain>. */
    domain: DomainName,
    env: TenantEnv.default({}),
    modules: z
      .array(z.string().regex(/^[a-z0-9_]+$/, 'module names are lowercase letters, digits and "_"'))
      .max(200)
      .default(['base']),
    mail: MailServerInput.optional(),
  })
  .strict();
export type TenantSpecInput = z.input<typeof TenantSpecInput>;

/** The spec with every default filled in: what a job stores and a container is built from. */
export interface TenantSpec {
  name: string;
  hostId: string;
  odooVersion: (typeof ODOO_VERSIONS)[number];
  image: string;
  tag: string;
  database: string;
  role: string;
  volume: string;
  cpus: number | null;
  memoryMb: number | null;
  workers: number;
  publicHost: string;
  env: Record<string, string>;
  modules: string[];
  mail: { host: string; port: number; security: 'none' | 'starttls' | 'ssl'; user: string | null; from: string | null; hasPassword: boolean } | null;
}

/** `repo:tag` as [repo, tag] (a registry port's colon is not a tag). */
export function splitImage(reference: string): [string, string] {
  const at = reference.lastIndexOf(':');
  return at > reference.lastIndexOf('/') ? [reference.slice(0, at), reference.slice(at + 1)] : [reference, 'latest'];
}

export function resolveTenantSpec(input: z.output<typeof TenantSpecInput>): TenantSpec {
  const stem = input.name.replace(/-/g, '_');
  const modules = input.modules.includes('base') ? input.modules : ['base', ...input.modules];
  return {
    name: input.name,
    hostId: input.hostId,
    odooVersion: input.odooVersion,
    image: input.image,
    tag: input.tag ?? input.odooVersion,
    database: input.database ?? stem,
    role: input.role ?? `odoo_${stem}`.slice(0, 63),
    volume: input.volume ?? `fleet-${input.name}-data`,
    cpus: input.cpus ?? null,
    memoryMb: input.memoryMb ?? null,
    workers: input.workers,
    publicHost: `${input.name}.${input.domain}`,
    env: input.env,
    modules: [...new Set(modules)],
    mail: input.mail
      ? { host: input.mail.host, port: input.mail.port, security: input.mail.security, user: input.mail.user ?? null, from: input.mail.from ?? null, hasPassword: input.mail.password !== undefined }
      : null,
  };
}

/** A name a tenant answers to (its main one is the address Odoo builds links with). */
export const TenantDomainView = z.object({ domain: z.string(), main: z.boolean(), addedAt: z.string(), addedBy: z.string() });
export type TenantDomainView = z.infer<typeof TenantDomainView>;

export const TenantDomains = z.object({
  /** The names recorded in the host's fleet database, main first ([] for a tenant made before names were recorded). */
  names: z.array(TenantDomainView),
  /** The names the proxy serves it at (the recorded ones, else the public host its container carries). */
  served: z.array(z.string()),
  /** Its address: https://<main name> where the host's managed proxy serves it, else null. */
  url: z.string().nullable(),
});
export type TenantDomains = z.infer<typeof TenantDomains>;

const tenantOnHost = { hostId: z.string().uuid(), name: TenantName };
export const AddDomainInput = z
  .object({
    ...tenantOnHost,
    domain: DomainName,
    /** Add it even though DNS does not point it at the host yet (the certificate waits for the first visit after DNS is fixed). */
    skipDnsCheck: z.boolean().default(false),
    /** Hosts (by name) that could not be asked whether a tenant of theirs has the name, which the admin vouches for. */
    allowUnreachable: z.array(z.string().max(63)).max(100).default([]),
  })
  .strict();
export const DomainRefInput = z.object({ ...tenantOnHost, domain: DomainName }).strict();
