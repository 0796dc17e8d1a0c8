import { useCallback, useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import type { VaultStatus } from '../../../shared/contract.js';
import { useApi, useLinkState } from '../../../ui-common/api/context.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { Field } from '../components/Field.js';
import { issuesOf, splitIssues, toFleetError, type FleetError } from '../lib/errors.js';
import { askGate, type GateAnswers } from '../lib/gate.js';
import type { SessionInfo } from '../lib/session.js';

type Phase = { kind: 'loading' } | { kind: 'error'; error: FleetError } | { kind: 'ready'; vault: VaultStatus; session: SessionInfo };

/**
 * First screen: the vault's state and who we are (`first`, asked as the page started; asked again
 * after a retry). Until the vault is unlocked it shows the set-up or unlock form; after that it
 * renders the app. When the link to the service comes back after a drop, the vault is asked
 * again (a restarted service is locked).
 */
export function VaultGate({ first, children }: { first?: Promise<GateAnswers>; children: (answers: GateAnswers) => ReactNode }) {
  const api = useApi();
  const link = useLinkState();
  const [phase, setPhase] = useState<Phase>({ kind: 'loading' });
  const wasDown = useRef(false);
  const firstAnswers = useRef(first);

  const load = useCallback(() => {
    const answers = firstAnswers.current ?? askGate(api);
    firstAnswers.current = undefined;
    answers.then(
      ({ vault, session }) => setPhase({ kind: 'ready', vault, session }),
      (e: unknown) => setPhase({ kind: 'error', error: toFleetError(e) }),
    );
  }, [api]);

  useEffect(load, [load]);

  useEffect(() => {
    if (link === 'disconnected') wasDown.current = true;
    else if (link === 'connected' && wasDown.current) {
      wasDown.current = false;
      load();
    }
  }, [link, load]);

  if (phase.kind === 'loading') return <div className="boot">Connecting to the console service…</div>;
  if (phase.kind === 'error')
    return (
      <GateFrame title="Cannot reach the console service">
        <ErrorBox error={phase.error} testId="gate-error" />
        <button type="button" className="btn" onClick={() => { setPhase({ kind: 'loading' }); load(); }}>
          Try again
        </button>
      </GateFrame>
    );
  if (phase.vault.state === 'unlocked') return <>{children({ vault: phase.vault, session: phase.session })}</>;
  return (
    <VaultForm
      key={phase.vault.state}
      status={phase.vault}
      onDone={(vault) => setPhase({ kind: 'ready', vault, session: phase.session })}
    />
  );
}

function GateFrame({ title, children }: { title: string; children: ReactNode }) {
  return (
    <main className="gate">
      <div className="gate-card">
        <div className="brand brand-gate">
          <span className="brand-mark" aria-hidden="true">◆</span> Odoo Fleet <span className="brand-sub">Console</span>
        </div>
        <h1>{title}</h1>
        {children}
      </div>
    </main>
  );
}

function VaultForm({ status, onDone }: { status: VaultStatus; onDone: (v: VaultStatus) => void }) {
  const api = useApi();
  const setup = status.state === 'uninitialised';
  const [pass, setPass] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [local, setLocal] = useState<{ pass?: string; confirm?: string }>({});
  const [error, setError] = useState<FleetError | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    if (setup) {
      const errs: { pass?: string; confirm?: string } = {};
      if (pass.length < 8) errs.pass = 'use at least 8 characters';
      if (confirm !== pass) errs.confirm = 'the two passphrases differ';
      setLocal(errs);
      if (errs.pass || errs.confirm) return;
    } else {
      if (!pass) {
        setLocal({ pass: 'enter the passphrase' });
        return;
      }
      setLocal({});
    }
    setBusy(true);
    try {
      const next = setup ? await api.call('vault.setup', { passphrase: pass }) : await api.call('vault.unlock', { passphrase: pass });
      if (next.state === 'unlocked') onDone(next);
      else setError(toFleetError({ code: 'VAULT_LOCKED', message: `The vault is still ${next.state}.` }));
    } catch (err) {
      setError(toFleetError(err));
    } finally {
      setBusy(false);
    }
  };

  const { byField, rest } = splitIssues(issuesOf(error), { pass: ['passphrase'] });
  const passError = local.pass ?? byField['pass'] ?? (error?.code === 'VAULT_BAD_PASSPHRASE' ? error.message : undefined);
  const showBox = error && !(error.code === 'VAULT_BAD_PASSPHRASE' || (error.code === 'VALIDATION' && rest.length === 0));

  return (
    <GateFrame title={setup ? 'Protect stored secrets' : 'Unlock the vault'}>
      <p className="muted">
        {setup
          ? 'Set a passphrase to protect stored passwords and key passphrases. You will need it each time the console service starts; it cannot be recovered.'
          : 'Enter the passphrase that protects stored passwords and key passphrases.'}
      </p>
      {status.warning ? (
        <div className="notice notice-warn" data-testid="vault-warning">
          {status.warning}
        </div>
      ) : null}
      <form onSubmit={submit} noValidate>
        <Field label="Passphrase" error={passError} errorTestId="vault-passphrase-error" hint={setup ? 'At least 8 characters.' : undefined}>
          <input
            type="password"
            autoComplete={setup ? 'new-password' : 'current-password'}
            autoFocus
            value={pass}
            onChange={(e) => setPass(e.target.value)}
            data-testid="vault-passphrase"
          />
        </Field>
        {setup ? (
          <Field label="Repeat the passphrase" error={local.confirm} errorTestId="vault-passphrase-confirm-error">
            <input
              type="password"
              autoComplete="new-password"
              value={confirm}
              onChange={(e) => setConfirm(e.target.value)}
              data-testid="vault-passphrase-confirm"
            />
          </Field>
        ) : null}
        {showBox && error ? <ErrorBox error={error} rest={rest} /> : null}
        <div className="actions">
          <button type="submit" className="btn btn-primary" disabled={busy} data-testid="vault-submit">
            {busy ? 'Working…' : setup ? 'Set passphrase' : 'Unlock'}
          </button>
        </div>
        <p className="muted small">Backend: {status.backend === 'safeStorage' ? 'the operating system keychain' : 'passphrase (scrypt, AES-256-GCM)'}</p>
      </form>
    </GateFrame>
  );
}
