import { useCallback, useState } from 'react';
import { useApi } from '../../../../ui-common/api/context.js';
import { ErrorBox } from '../../components/ErrorBox.js';
import { JobPanel } from '../../components/JobView.js';
import { Modal } from '../../components/Modal.js';
import { formatDateTime } from '../../lib/format.js';
import { NEEDS } from '../../lib/roles.js';
import { useCan } from '../../lib/session.js';
import { useLoad } from '../../lib/use-load.js';
import { useAction } from '../../lib/use-submit.js';

// Where a tenant is reached (tenants.domains): its address, its names (main first), and for admins
// adding a name (DNS checked first), removing one (asked first), switching the main one.

function RemoveDialog({ domain, onConfirm, onClose }: { domain: string; onConfirm: () => void; onClose: () => void }) {
  return (
    <Modal title={`Stop serving at ${domain}?`} testId="domain-remove-dialog" onClose={onClose} description={<p>Visitors and links that use {domain} will no longer reach this tenant. Its certificate is left to expire.</p>}>
      <div className="actions">
        <button type="button" className="btn btn-danger" data-testid="domain-remove-confirm" onClick={() => { onClose(); onConfirm(); }}>
          Remove the name
        </button>
        <button type="button" className="btn" onClick={onClose}>
          Cancel
        </button>
      </div>
    </Modal>
  );
}

export function TenantDomains({ hostId, name, version }: { hostId: string; name: string; version: number }) {
  const api = useApi();
  const canChange = useCan(NEEDS.changeDomains);
  const fetch = useCallback(() => api.call('tenants.domains', { hostId, name }), [api, hostId, name]);
  const domains = useLoad(fetch, { loadingAtFirst: true, reloadOn: version });
  const [adding, setAdding] = useState('');
  const [removing, setRemoving] = useState<string | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  const action = useAction<string>();
  const start = (op: 'tenants.addDomain' | 'tenants.removeDomain' | 'tenants.setMainDomain', domain: string) =>
    void action.run(op, async () => {
      const started = await api.call(op, { hostId, name, domain });
      setJobId(started.jobId);
      if (op === 'tenants.addDomain') setAdding('');
    });
  const d = domains.value;
  return (
    <section className="card" aria-label="Domains" data-testid="tenant-domains">
      <h3 className="card-title">Where to reach it</h3>
      {domains.error ? <ErrorBox error={domains.error} compact testId="tenant-domains-error" /> : null}
      {d ? (
        <>
          <p data-testid="tenant-url">
            {d.url ? (
              <a href={d.url} target="_blank" rel="noreferrer" className="mono">
                {d.url}
              </a>
            ) : (
              <span className="muted">No HTTPS address: the host has no managed proxy (set it up on the host page).</span>
            )}
          </p>
          <ul className="plain-list" data-testid="tenant-domain-list">
            {(d.names.length ? d.names : d.served.map((domain) => ({ domain, main: true, addedAt: null, addedBy: null }))).map((n) => (
              <li key={n.domain} data-testid={`tenant-domain-${n.domain}`}>
                <span className="mono">{n.domain}</span> {n.main ? <span className="tag tag-ok">main</span> : null}
                {n.addedAt ? <span className="small muted" title={n.addedAt}> added {formatDateTime(n.addedAt)} by {n.addedBy}</span> : null}
                {canChange && !n.main && n.addedAt ? (
                  <>
                    {' '}
                    <button type="button" className="btn btn-small" disabled={action.busy !== null} onClick={() => start('tenants.setMainDomain', n.domain)} data-testid={`domain-main-${n.domain}`} title="web.base.url follows; Odoo restarts to read it">
                      Make main
                    </button>{' '}
                    <button type="button" className="btn btn-small btn-danger-ghost" disabled={action.busy !== null} onClick={() => setRemoving(n.domain)} data-testid={`domain-remove-${n.domain}`}>
                      Remove…
                    </button>
                  </>
                ) : null}
              </li>
            ))}
          </ul>
          {canChange && d.url ? (
            <form className="inline-form" onSubmit={(e) => { e.preventDefault(); if (adding.trim()) start('tenants.addDomain', adding.trim()); }} data-testid="domain-add-form">
              <input value={adding} onChange={(e) => setAdding(e.target.value)} placeholder="shop.example.com" aria-label="New name" data-testid="domain-add-input" />
              <button type="submit" className="btn btn-small" disabled={action.busy !== null || !adding.trim()} data-testid="domain-add-submit">
                Add name
              </button>
              <span className="small muted"> Point its DNS at this host first: the console checks before the certificate is asked for.</span>
            </form>
          ) : null}
        </>
      ) : (
        <p className="muted">{domains.loading ? 'Loading…' : 'No data.'}</p>
      )}
      {action.error ? <ErrorBox error={action.error} compact testId="tenant-domains-action-error" /> : null}
      {jobId ? <JobPanel key={jobId} jobId={jobId} title="Names" onFinished={() => void domains.load()} /> : null}
      {removing ? <RemoveDialog domain={removing} onConfirm={() => start('tenants.removeDomain', removing)} onClose={() => setRemoving(null)} /> : null}
    </section>
  );
}
