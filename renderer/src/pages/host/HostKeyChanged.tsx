import { useEffect, useState } from 'react';
import type { HostView, ProbeResult } from '../../../../shared/hosts.js';
import { useApi } from '../../../../ui-common/api/context.js';
import { ErrorBox } from '../../components/ErrorBox.js';
import { fingerprintsIn, toFleetError, type FleetError } from '../../lib/errors.js';
import { NEEDS } from '../../lib/roles.js';
import { useCan } from '../../lib/session.js';

/** Keys the service may use for the presented fingerprint in HOST_KEY_CHANGED details. */
const PRESENTED_KEYS = ['presented', 'presentedFingerprint', 'actualFingerprint', 'actual', 'receivedFingerprint', 'received', 'newFingerprint', 'fingerprint'];

function presentedFrom(err: FleetError, pinned: string): string | null {
  const d = err.details ?? {};
  for (const k of PRESENTED_KEYS) {
    const v = d[k];
    if (typeof v === 'string' && v.startsWith('SHA256:') && v !== pinned) return v;
  }
  return fingerprintsIn(err).find((f) => f !== pinned) ?? null;
}

/**
 * The pinned key no longer matches. Shows both fingerprints and, for admins, a deliberate
 * "I verified the new key" flow: the user types the host's name, then the new key is pinned.
 */
export function HostKeyChanged({ host, error, onRetrusted }: { host: HostView; error: FleetError; onRetrusted: () => void }) {
  const api = useApi();
  const canRetrust = useCan(NEEDS.retrust);
  const pinned = host.hostKey.fingerprint;
  const fromError = presentedFrom(error, pinned);
  const [probe, setProbe] = useState<{ busy: boolean; result: ProbeResult | null; error: FleetError | null }>({ busy: false, result: null, error: null });
  const [verifying, setVerifying] = useState(false);
  const [typed, setTyped] = useState('');
  const [saving, setSaving] = useState<{ busy: boolean; error: FleetError | null }>({ busy: false, error: null });

  // The error did not name the presented key: ask the host for it (probing needs the admin role).
  useEffect(() => {
    if (fromError || !canRetrust) return;
    let cancelled = false;
    setProbe({ busy: true, result: null, error: null });
    const input: { address: string; port: number; jumpHostId?: string } = { address: host.address, port: host.port };
    if (host.jumpHostId) input.jumpHostId = host.jumpHostId;
    api.call('hosts.probe', input).then(
      (result) => !cancelled && setProbe({ busy: false, result, error: null }),
      (e: unknown) => !cancelled && setProbe({ busy: false, result: null, error: toFleetError(e) }),
    );
    return () => {
      cancelled = true;
    };
  }, [api, fromError, canRetrust, host.address, host.port, host.jumpHostId]);

  const presented = fromError ?? probe.result?.fingerprint ?? null;
  const detailType = error.details?.['keyType'];
  const presentedType = fromError ? (typeof detailType === 'string' ? detailType : null) : (probe.result?.keyType ?? null);
  const matches = typed.trim() === host.name;

  const retrust = async () => {
    if (!presented || !matches) return;
    setSaving({ busy: true, error: null });
    try {
      await api.call('hosts.retrust', { id: host.id, fingerprint: presented });
      setSaving({ busy: false, error: null });
      onRetrusted();
    } catch (e) {
      setSaving({ busy: false, error: toFleetError(e) });
    }
  };

  return (
    <section className="key-changed" role="alert" data-testid="host-key-changed">
      <h3>Host key changed — possible man-in-the-middle</h3>
      <p>{error.message}</p>
      <dl className="fp-compare">
        <dt>Pinned key (trusted)</dt>
        <dd className="fingerprint-sm" data-testid="pinned-fingerprint">
          {pinned}
        </dd>
        <dt>Key the host presents now</dt>
        <dd className="fingerprint-sm fp-bad" data-testid="presented-fingerprint">
          {presented ?? (probe.busy ? 'asking the host…' : 'unknown')}
          {presented && presentedType ? <span className="muted small"> ({presentedType})</span> : null}
        </dd>
      </dl>
      {probe.error ? <ErrorBox error={probe.error} compact testId="probe-error" /> : null}
      <p className="small">
        This happens when the host was reinstalled or its SSH keys were regenerated — or when someone intercepts the connection. Do not
        trust the new key until you have compared it with the host itself, e.g. by running{' '}
        <code>ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub</code> on its console.
      </p>
      {canRetrust && presented ? (
        verifying ? (
          <form
            className="retrust-form"
            onSubmit={(e) => {
              e.preventDefault();
              void retrust();
            }}
          >
            <label htmlFor="retrust-name">
              Type the host's name, <strong className="mono">{host.name}</strong>, to pin the new key:
            </label>
            <div className="inline-row">
              <input id="retrust-name" value={typed} onChange={(e) => setTyped(e.target.value)} autoFocus autoComplete="off" spellCheck={false} data-testid="retrust-confirm-name" />
              <button type="submit" className="btn btn-danger" disabled={!matches || saving.busy} data-testid="retrust-submit">
                {saving.busy ? 'Saving…' : 'Trust the new key'}
              </button>
              <button type="button" className="btn" onClick={() => { setVerifying(false); setTyped(''); }}>
                Cancel
              </button>
            </div>
            {saving.error ? <ErrorBox error={saving.error} compact testId="retrust-error" /> : null}
          </form>
        ) : (
          <button type="button" className="btn" onClick={() => setVerifying(true)} data-testid="retrust-button">
            I verified the new key…
          </button>
        )
      ) : !canRetrust ? (
        <p className="muted small">An admin must verify and pin the new key.</p>
      ) : null}
    </section>
  );
}
