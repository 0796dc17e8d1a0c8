import { useCallback } from 'react';
import type { NameCertificate } from '../../../../shared/certificates.js';
import { useApi } from '../../../../ui-common/api/context.js';
import { ErrorBox } from '../../components/ErrorBox.js';
import { formatDateTime } from '../../lib/format.js';
import { useLoad } from '../../lib/use-load.js';

// The certificates of a tenant's names (tenants.certificates): issuer, expiry, last renewal, and
// why obtaining one failed, with what to fix.

const STATE_TAG: Record<NameCertificate['state'], { label: string; tag: string }> = {
  valid: { label: 'valid', tag: 'tag-ok' },
  expiring: { label: 'expiring soon', tag: 'tag-warn' },
  expired: { label: 'expired', tag: 'tag-bad' },
  failing: { label: 'failing', tag: 'tag-bad' },
  'not-obtained': { label: 'not yet obtained', tag: '' },
};

function Expiry({ name }: { name: NameCertificate }) {
  const c = name.certificate;
  if (!c) return <>—</>;
  const when = c.daysLeft < 0 ? `expired ${-c.daysLeft} days ago` : `expires in ${c.daysLeft} days`;
  return <span title={formatDateTime(c.notAfter)}>{when}</span>;
}

function NameRow({ name }: { name: NameCertificate }) {
  const state = STATE_TAG[name.state];
  return (
    <tr data-testid="certificate-row" data-domain={name.domain} data-state={name.state}>
      <td className="mono">{name.domain}</td>
      <td data-testid="certificate-issuer" title={name.certificate?.issuerDirectory}>
        {name.certificate?.issuer ?? '—'}
      </td>
      <td data-testid="certificate-expiry">
        <Expiry name={name} />
      </td>
      <td data-testid="certificate-renewed">{name.certificate ? formatDateTime(name.certificate.notBefore) : '—'}</td>
      <td>
        <span className={`tag ${state.tag}`} data-testid="certificate-state">
          {state.label}
        </span>
        {name.failure ? (
          <div className="small" data-testid="certificate-failure" data-cause={name.failure.cause}>
            <strong>{name.failure.fix}</strong>
            <div className="mono muted">{name.failure.error}</div>
          </div>
        ) : name.state === 'not-obtained' ? (
          <div className="small muted">Obtained on the name's first visit over HTTPS.</div>
        ) : null}
      </td>
    </tr>
  );
}

export function TenantCertificatesCard({ hostId, name, version }: { hostId: string; name: string; version: number }) {
  const api = useApi();
  const fetchCertificates = useCallback(() => api.call('tenants.certificates', { hostId, name }), [api, hostId, name]);
  const { value, error, loading, load } = useLoad(fetchCertificates, { loadingAtFirst: true, reloadOn: version });
  return (
    <section className="card" aria-label="Certificates" data-testid="tenant-certificates">
      <div className="section-head">
        <h3 className="card-title">Certificates</h3>
        <button type="button" className="btn btn-small" onClick={() => void load()} disabled={loading} data-testid="certificates-refresh">
          {loading ? 'Reading…' : 'Refresh'}
        </button>
      </div>
      {error ? <ErrorBox error={error} compact testId="certificates-error" /> : null}
      {value && !value.proxy ? <p className="small muted">The host has no managed proxy: its certificates are not the console's to show.</p> : null}
      {value?.proxy && value.names.length === 0 ? <p className="small muted">The tenant has no public name.</p> : null}
      {value?.proxy && value.names.length > 0 ? (
        <table className="table small">
          <thead>
            <tr>
              <th>Domain</th>
              <th>Issuer</th>
              <th>Expiry</th>
              <th>Last renewal</th>
              <th>State</th>
            </tr>
          </thead>
          <tbody>
            {value.names.map((n) => (
              <NameRow key={n.domain} name={n} />
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
