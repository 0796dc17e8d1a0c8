import { z } from 'zod';
import { EVENT_NAMES, OPERATION_NAMES, type EventName, type OperationName } from './operation-names.js';
import {
  Container,
  DbServerView,
  Fingerprint,
  HostCheck,
  HostInput,
  HostOverview,
  HostUpdateInput,
  HostView,
  ProbeInput,
  ProbeResult,
  SshImportCandidate,
} from './hosts.js';

// The one contract every transport serves: operation name -> input schema, output schema, the
// role it needs and whether it is audited. Servers validate every input against it; the
// renderer is untrusted.

export const ROLES = ['viewer', 'support', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const ROLE_RANK: Record<Role, number> = { viewer: 0, support: 1, admin: 2 };

export interface OperationSpec<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  input: I;
  output: O;
  role: Role;
  audited: boolean;
  /** Which program exposes it: the POS only ever serves 'pos' operations. */
  program: 'console' | 'pos' | 'both';
  summary: string;
}

function op<I extends z.ZodType, O extends z.ZodType>(spec: OperationSpec<I, O>): OperationSpec<I, O> {
  return spec;
}

const empty = z.object({}).strict();
const hostRef = z.object({ id: z.string().uuid() }).strict();

export const AuditEntry = z.object({
  id: z.number(),
  at: z.string(),
  actor: z.string(),
  role: z.string(),
  operation: z.string(),
  target: z.string().nullable(),
  outcome: z.enum(['ok', 'error', 'forbidden']),
  errorCode: z.string().nullable(),
  /** The input with every secret field replaced by "[redacted]". */
  input: z.unknown(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export const VaultStatus = z.object({
  state: z.enum(['uninitialised', 'locked', 'unlocked']),
  backend: z.enum(['passphrase', 'safeStorage']),
  warning: z.string().optional(),
});
export type VaultStatus = z.infer<typeof VaultStatus>;

const passphrase = z.string().min(8, 'use at least 8 characters').max(1024);

export const contract = {
  'session.info': op({
    input: empty,
    output: z.object({ actor: z.string(), role: z.enum(ROLES), program: z.enum(['console', 'pos']), version: z.string() }),
    role: 'viewer',
    audited: false,
    program: 'both',
    summary: 'Who the caller is and what it may do',
  }),
  'vault.status': op({ input: empty, output: VaultStatus, role: 'viewer', audited: false, program: 'both', summary: 'State of the secret store' }),
  'vault.setup': op({
    input: z.object({ passphrase }).strict(),
    output: VaultStatus,
    role: 'admin',
    audited: true,
    program: 'both',
    summary: 'Set the passphrase that protects stored secrets (first start)',
  }),
  'vault.unlock': op({
    input: z.object({ passphrase: z.string().min(1).max(1024) }).strict(),
    output: VaultStatus,
    role: 'viewer',
    audited: true,
    program: 'both',
    summary: 'Unlock stored secrets with the passphrase',
  }),
  'hosts.list': op({ input: empty, output: z.array(HostView), role: 'viewer', audited: false, program: 'console', summary: 'Stored hosts with their connection state' }),
  'hosts.get': op({ input: hostRef, output: HostView, role: 'viewer', audited: false, program: 'console', summary: 'One host' }),
  'hosts.probe': op({
    input: ProbeInput,
    output: ProbeResult,
    role: 'admin',
    audited: false,
    program: 'console',
    summary: "Fetch a host's key fingerprint so the user can confirm it",
  }),
  'hosts.add': op({ input: HostInput, output: HostView, role: 'admin', audited: true, program: 'console', summary: 'Add a host, pinning the confirmed key' }),
  'hosts.update': op({ input: HostUpdateInput, output: HostView, role: 'admin', audited: true, program: 'console', summary: "Change a host's settings" }),
  'hosts.retrust': op({
    input: z.object({ id: z.string().uuid(), fingerprint: Fingerprint }).strict(),
    output: HostView,
    role: 'admin',
    audited: true,
    program: 'console',
    summary: 'Replace a pinned key after the user verified the new one out of band',
  }),
  'hosts.remove': op({ input: hostRef, output: z.object({ removed: z.boolean() }), role: 'admin', audited: true, program: 'console', summary: 'Forget a host' }),
  'hosts.check': op({ input: hostRef, output: HostCheck, role: 'support', audited: true, program: 'console', summary: 'Connect, OS, Docker, PostgreSQL, disk and memory' }),
  'hosts.overview': op({ input: hostRef, output: HostOverview, role: 'viewer', audited: false, program: 'console', summary: 'Docker info, containers, disk and memory' }),
  'hosts.containers': op({ input: hostRef, output: z.array(Container), role: 'viewer', audited: false, program: 'console', summary: "The host's containers" }),
  'hosts.sshConfigCandidates': op({
    input: z.object({ configPath: z.string().max(4096).optional() }).strict(),
    output: z.array(SshImportCandidate),
    role: 'admin',
    audited: false,
    program: 'console',
    summary: 'Hosts that ~/.ssh/config declares, resolved as OpenSSH resolves them',
  }),
  'hosts.dbServer': op({ input: hostRef, output: DbServerView.nullable(), role: 'viewer', audited: false, program: 'console', summary: "The host's database-server settings" }),
  'audit.list': op({
    input: z.object({ limit: z.number().int().min(1).max(1000).default(200), before: z.number().int().optional() }).strict(),
    output: z.array(AuditEntry),
    role: 'viewer',
    audited: false,
    program: 'both',
    summary: 'The local audit trail, newest first',
  }),
} as const satisfies Record<OperationName, OperationSpec>;

export type Contract = typeof contract;
export { EVENT_NAMES, OPERATION_NAMES, type EventName, type OperationName };
export type OpInput<N extends OperationName> = z.input<Contract[N]['input']>;
export type OpOutput<N extends OperationName> = z.output<Contract[N]['output']>;

// Event streams pushed from the services to every UI.
export const events = {
  'hosts.connection': z.object({
    hostId: z.string(),
    state: z.enum(['idle', 'connecting', 'connected', 'backoff', 'failed']),
    lastError: z.string().nullable(),
    at: z.string(),
  }),
  'hosts.changed': z.object({ hostId: z.string(), change: z.enum(['added', 'updated', 'removed']) }),
} as const satisfies Record<EventName, z.ZodType>;
export type Events = typeof events;
export type EventPayload<E extends EventName> = z.infer<Events[E]>;
