import { forwardRef, useEffect, useRef, useState, type FormEvent, type InputHTMLAttributes, type ReactNode } from 'react';
import type { HostView, ProbeResult } from '../../../shared/hosts.js';
import { useApi } from '../../../ui-common/api/context.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { Field } from '../components/Field.js';
import { issuesOf, splitIssues, toFleetError, type FleetError, type Issue } from '../lib/errors.js';
import {
  buildHostInput,
  emptyDraft,
  FIELD_PATHS,
  localDraftErrors,
  probeInput,
  probeKey,
  type AuthKind,
  type HostDraft,
  type PrefilledDraft,
} from '../lib/host-draft.js';
import { NEEDS } from '../lib/roles.js';
import { href } from '../lib/router.js';
import { useCan } from '../lib/session.js';

type Stage = 'probe' | 'add';

const FIELD_LABELS: Record<string, string> = {
  name: 'Name',
  address: 'Address',
  port: 'Port',
  user: 'User',
  authKind: 'Authentication',
  keyPaths: 'Private key paths',
  passphrase: 'Key passphrase',
  password: 'Password',
  agentSocket: 'Agent socket',
  dockerSocket: 'Docker socket',
  jumpHostId: 'Jump host',
  dbAddress: 'Database address',
  dbPort: 'Database port',
  dbUser: 'Database admin user',
  dbPassword: 'Database password',
  dbDatabase: 'Database',
};

/** Codes whose meaning is "the key you confirmed is no longer what the host shows". */
const KEY_CODES = new Set(['HOST_KEY_CHANGED', 'HOST_KEY_UNTRUSTED']);

export function AddHostPage({
  prefill,
  hosts,
  onAdded,
}: {
  prefill: PrefilledDraft | null;
  hosts: readonly HostView[];
  onAdded: (id: string) => void;
}) {
  const api = useApi();
  const canAdd = useCan(NEEDS.addHost);
  const [draft, setDraft] = useState<HostDraft>(() => prefill?.draft ?? emptyDraft());
  const [local, setLocal] = useState<Record<string, string>>({});
  const [probe, setProbe] = useState<{ key: string; result: ProbeResult } | null>(null);
  const [busy, setBusy] = useState<Stage | null>(null);
  const [failure, setFailure] = useState<{ stage: Stage; error: FleetError } | null>(null);
  const trustRef = useRef<HTMLElement>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const [focusInvalid, setFocusInvalid] = useState(0);

  const currentKey = probeKey(draft);
  const probeValid = probe !== null && probe.key === currentKey;

  useEffect(() => {
    if (probeValid) trustRef.current?.focus();
  }, [probeValid]);

  // After a failed submit, take the user to the first field that needs fixing.
  useEffect(() => {
    if (focusInvalid) formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [focusInvalid]);

  if (!canAdd) return <p className="muted">Adding hosts needs the admin role.</p>;

  const set = <K extends keyof HostDraft>(k: K, v: HostDraft[K]) => {
    setDraft((d) => ({ ...d, [k]: v }));
    if (local[k as string]) setLocal((l) => ({ ...l, [k]: '' }));
  };

  const connect = async (e?: FormEvent) => {
    e?.preventDefault();
    const errs = localDraftErrors(draft);
    setLocal(errs);
    setFailure(null);
    if (Object.keys(errs).length > 0) {
      setFocusInvalid((n) => n + 1);
      return;
    }
    setBusy('probe');
    setProbe(null);
    try {
      const result = await api.call('hosts.probe', probeInput(draft));
      setProbe({ key: probeKey(draft), result });
    } catch (err) {
      setFailure({ stage: 'probe', error: toFleetError(err) });
    } finally {
      setBusy(null);
    }
  };

  const trustAndAdd = async () => {
    if (!probeValid || !probe) return;
    setBusy('add');
    setFailure(null);
    try {
      const host = await api.call('hosts.add', buildHostInput(draft, probe.result.fingerprint));
      onAdded(host.id);
    } catch (err) {
      const error = toFleetError(err);
      if (KEY_CODES.has(error.code)) setProbe(null);
      setFailure({ stage: 'add', error });
      if (error.code === 'VALIDATION' || error.code === 'CONFLICT') setFocusInvalid((n) => n + 1);
    } finally {
      setBusy(null);
    }
  };

  const { byField, rest } = splitIssues(issuesOf(failure?.error), FIELD_PATHS);
  if (failure?.error.code === 'CONFLICT') byField['name'] ??= failure.error.message;
  const err = (k: string) => local[k] || byField[k] || undefined;

  return (
    <form className="host-form" ref={formRef} onSubmit={connect} noValidate data-testid="host-form">
      {prefill ? (
        <div className="notice" data-testid="import-prefill">
          Prefilled from <code>~/.ssh/config</code> entry <strong>{prefill.alias}</strong>. Check the values, then connect.
        </div>
      ) : null}
      {prefill?.notices.map((n, i) => (
        <div key={i} className="notice notice-warn" data-testid="import-notice">
          {n}
        </div>
      ))}

      <SshFields draft={draft} set={set} err={err} autoFocus={!prefill} jumpHosts={hosts} />

      <DockerField draft={draft} set={set} err={err} />

      <DbServerFields draft={draft} set={set} err={err} />

      <div className="step-actions">
        <button type="submit" className="btn btn-primary" disabled={busy !== null} data-testid="probe-button">
          {busy === 'probe' ? 'Connecting…' : probeValid ? 'Connect again' : 'Connect'}
        </button>
        <span className="muted small">Step 1: fetch the host's key so you can confirm it. Nothing is stored yet.</span>
      </div>
      <StageFailure stage="probe" failure={failure} byField={byField} rest={rest} />

      {probe && !probeValid ? (
        <p className="notice" data-testid="probe-stale">
          The address, port or jump host changed since you connected: connect again.
        </p>
      ) : null}

      {probe && probeValid ? (
        <TrustPanel ref={trustRef} address={draft.address.trim()} result={probe.result} busy={busy} onTrust={() => void trustAndAdd()}>
          <StageFailure stage="add" failure={failure} byField={byField} rest={rest} />
        </TrustPanel>
      ) : failure?.stage === 'add' ? (
        <StageFailure stage="add" failure={failure} byField={byField} rest={rest} />
      ) : null}
    </form>
  );
}

function KnownHostsVerdict({ result }: { result: ProbeResult }) {
  switch (result.knownHosts) {
    case 'match':
      return (
        <span className="verdict verdict-match" data-testid="known-hosts-verdict">
          ✓ matches your ~/.ssh/known_hosts
        </span>
      );
    case 'mismatch':
      return (
        <span className="verdict verdict-mismatch" data-testid="known-hosts-verdict">
          ✕ DIFFERS from ~/.ssh/known_hosts: <span className="mono">{result.knownHostsFingerprint ?? 'another key'}</span>
        </span>
      );
    default:
      return (
        <span className="verdict verdict-absent" data-testid="known-hosts-verdict">
          not in known_hosts
        </span>
      );
  }
}

type SetField = <K extends keyof HostDraft>(key: K, value: HostDraft[K]) => void;

/** A draft's fields as a section of the form shows them: the value, its setter, its error. */
interface DraftFields {
  draft: HostDraft;
  set: SetField;
  err: (key: string) => string | undefined;
}

type TextKey = { [K in keyof HostDraft]: HostDraft[K] extends string ? K : never }[keyof HostDraft];

/** One text field of the draft, with its error under it. */
function DraftInput({
  fields: { draft, set, err },
  name,
  label,
  hint,
  testId,
  ...input
}: { fields: DraftFields; name: TextKey; label: string; hint?: string; testId: string } & Omit<InputHTMLAttributes<HTMLInputElement>, 'name' | 'value' | 'onChange'>) {
  return (
    <Field label={label} error={err(name)} errorTestId={`field-error-${name}`} hint={hint}>
      <input value={draft[name]} onChange={(e) => set(name, e.target.value)} data-testid={testId} {...input} />
    </Field>
  );
}

function SshFields({ autoFocus, jumpHosts, ...fields }: DraftFields & { autoFocus: boolean; jumpHosts: readonly HostView[] }) {
  const { draft, set, err } = fields;
  return (
    <fieldset className="form-section">
      <legend>SSH connection</legend>
      <div className="grid grid-name">
        <DraftInput fields={fields} name="name" label="Name" hint="How the console calls it: letters, digits, . _ -" autoFocus={autoFocus} spellCheck={false} testId="host-form-name" />
        <DraftInput fields={fields} name="address" label="Address" placeholder="host.example.com or 10.0.0.5" spellCheck={false} testId="host-form-address" />
        <DraftInput fields={fields} name="port" label="Port" inputMode="numeric" testId="host-form-port" />
      </div>
      <div className="grid grid-2">
        <DraftInput fields={fields} name="user" label="User" autoComplete="off" spellCheck={false} testId="host-form-user" />
        <Field label="Jump host" error={err('jumpHostId')} errorTestId="field-error-jumpHostId" hint="Optional: connect through another stored host (ProxyJump).">
          <select value={draft.jumpHostId} onChange={(e) => set('jumpHostId', e.target.value)} data-testid="host-form-jump-host">
            <option value="">None — connect directly</option>
            {jumpHosts.map((h) => (
              <option key={h.id} value={h.id}>
                {h.name} ({h.address}:{h.port})
              </option>
            ))}
          </select>
        </Field>
      </div>
      <div className="grid grid-2">
        <Field label="Authentication" error={err('authKind')} errorTestId="field-error-authKind">
          <select value={draft.authKind} onChange={(e) => set('authKind', e.target.value as AuthKind)} data-testid="host-form-auth-kind">
            <option value="key">Private key file</option>
            <option value="agent">ssh-agent</option>
            <option value="password">Password</option>
          </select>
        </Field>
        {draft.authKind === 'agent' ? (
          <DraftInput fields={fields} name="agentSocket" label="Agent socket" hint="Optional; empty uses SSH_AUTH_SOCK of the console service." spellCheck={false} placeholder="$SSH_AUTH_SOCK" testId="host-form-agent-socket" />
        ) : draft.authKind === 'password' ? (
          <DraftInput fields={fields} name="password" label="Password" hint="Stored encrypted in the vault." type="password" autoComplete="new-password" testId="host-form-password" />
        ) : (
          <DraftInput fields={fields} name="passphrase" label="Key passphrase" hint="Only for encrypted keys; stored encrypted in the vault." type="password" autoComplete="new-password" testId="host-form-passphrase" />
        )}
      </div>
      {draft.authKind === 'key' ? (
        <Field label="Private key paths" error={err('keyPaths')} errorTestId="field-error-keyPaths" hint="One absolute path a line, on the machine running the console; tried in order.">
          <textarea
            rows={2}
            value={draft.keyPaths}
            onChange={(e) => set('keyPaths', e.target.value)}
            spellCheck={false}
            placeholder="/home/you/.ssh/id_ed25519"
            className="mono"
            data-testid="host-form-key-path"
          />
        </Field>
      ) : null}
    </fieldset>
  );
}

function DockerField(fields: DraftFields) {
  return (
    <fieldset className="form-section">
      <legend>Docker</legend>
      <DraftInput fields={fields} name="dockerSocket" label="Docker socket" hint="Path on the host; the console reaches it through the SSH connection." spellCheck={false} className="mono" testId="host-form-docker-socket" />
    </fieldset>
  );
}

function DbServerFields(fields: DraftFields) {
  const { draft, set } = fields;
  return (
    <fieldset className="form-section">
      <legend>
        <label className="inline-check">
          <input type="checkbox" checked={draft.dbEnabled} onChange={(e) => set('dbEnabled', e.target.checked)} data-testid="host-form-db-enabled" />
          Database server
        </label>
      </legend>
      {draft.dbEnabled ? (
        <>
          <p className="muted small">PostgreSQL as seen from the host, reached through the SSH tunnel. Optional until tenants need it.</p>
          <div className="grid grid-name">
            <DraftInput fields={fields} name="dbAddress" label="Address" spellCheck={false} testId="host-form-db-address" />
            <DraftInput fields={fields} name="dbDatabase" label="Database" spellCheck={false} testId="host-form-db-database" />
            <DraftInput fields={fields} name="dbPort" label="Port" inputMode="numeric" testId="host-form-db-port" />
          </div>
          <div className="grid grid-2">
            <DraftInput fields={fields} name="dbUser" label="Admin user" autoComplete="off" spellCheck={false} testId="host-form-db-user" />
            <DraftInput fields={fields} name="dbPassword" label="Password" hint="Optional; stored encrypted in the vault." type="password" autoComplete="new-password" testId="host-form-db-password" />
          </div>
        </>
      ) : null}
    </fieldset>
  );
}

/**
 * Why a stage's call failed: a refused input's issues under one note when every issue has its
 * field (the fields show them), otherwise the error box with whatever no field shows.
 */
function StageFailure({ stage, failure, byField, rest }: { stage: Stage; failure: { stage: Stage; error: FleetError } | null; byField: Record<string, string>; rest: Issue[] }) {
  if (!failure || failure.stage !== stage) return null;
  if (failure.error.code === 'VALIDATION' && rest.length === 0)
    return (
      <div className="field-error" role="alert" data-testid="form-error" data-code="VALIDATION">
        Some values need fixing:{' '}
        {Object.entries(byField)
          .map(([k, m]) => `${FIELD_LABELS[k] ?? k}: ${m}`)
          .join(' · ')}
      </div>
    );
  return <ErrorBox error={failure.error} rest={rest} reveal />;
}

/** Step 2: the key the host showed, what ~/.ssh/known_hosts says of it, and "Trust this key and add host". */
const TrustPanel = forwardRef<HTMLElement, { address: string; result: ProbeResult; busy: Stage | null; onTrust: () => void; children: ReactNode }>(function TrustPanel(
  { address, result, busy, onTrust, children },
  ref,
) {
  const verdict = result.knownHosts;
  return (
    <section
      className={`trust-panel trust-${verdict}`}
      ref={ref}
      tabIndex={-1}
      aria-labelledby="trust-title"
      data-testid="probe-result"
      data-known-hosts={verdict}
    >
      <h3 id="trust-title">Step 2: confirm the host key of {address}</h3>
      <div className="fingerprint" data-testid="fingerprint">
        {result.fingerprint}
      </div>
      <div className="fp-meta">
        <span className="mono" data-testid="fingerprint-key-type">
          {result.keyType}
        </span>
        <KnownHostsVerdict result={result} />
      </div>
      {verdict === 'mismatch' ? (
        <p className="danger-text" data-testid="known-hosts-warning">
          Your OpenSSH setup knows a different key for this address. Unless you know why (the host was reinstalled, the address
          was reused), do not trust this key.
        </p>
      ) : null}
      <p className="small">
        Compare it with the key on the host itself (<code>ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub</code>). The console
        pins this key and refuses to connect if the host ever presents another.
      </p>
      <div className="step-actions">
        <button
          type="button"
          className={`btn ${verdict === 'mismatch' ? 'btn-danger' : 'btn-primary'}`}
          onClick={onTrust}
          disabled={busy !== null}
          data-testid="trust-and-add-button"
        >
          {busy === 'add' ? 'Adding…' : 'Trust this key and add host'}
        </button>
        <a href={href.overview} className="btn btn-ghost">
          Cancel
        </a>
      </div>
      {children}
    </section>
  );
});
