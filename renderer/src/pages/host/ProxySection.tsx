import { useCallback, useState } from 'react';
import type { ProxyStatus } from '../../../../shared/hosts.js';
import { useApi } from '../../../../ui-common/api/context.js';
import { ErrorBox } from '../../components/ErrorBox.js';
import { Field } from '../../components/Field.js';
import { JobPanel } from '../../components/JobView.js';
import { useCan } from '../../lib/session.js';
import { NEEDS } from '../../lib/roles.js';
import { useLoad } from '../../lib/use-load.js';
import { useSubmit } from '../../lib/use-submit.js';

// The host's routing (hosts.proxyStatus): its managed proxy (Caddy), a Traefik of its own, or
// nothing; admins set the proxy up or upgrade it here (hosts.provisionProxy, a durable job).

function Summary({ status }: { status: ProxyStatus }) {
  const m = status.managed;
  if (m) {
    return (
      <dl className="kv small" data-testid="proxy-managed">
        <dt>Proxy</dt>
        <dd>
          <span className="mono">{m.image}</span> {m.running ? <span className="tag tag-ok">running</span> : <span className="tag tag-bad">not running</span>}
        </dd>
        <dt>Listens on</dt>
        <dd className="mono">
          {m.bindAddress ?? '?'} · HTTP {m.httpPort ?? '–'} · HTTPS {m.httpsPort ?? '–'}
        </dd>
        <dt>Base domain</dt>
        <dd className="mono" data-testid="proxy-base-domain">{m.baseDomain ?? '—'}</dd>
        <dt>Certificates</dt>
        <dd className="small">{m.acmeDirectory ? <span className="mono">{m.acmeDirectory}</span> : "Let's Encrypt, then ZeroSSL (Caddy's defaults)"}</dd>
        <dt>Tenants routed</dt>
        <dd data-testid="proxy-routes">{m.error ? <span className="tag tag-bad">{m.error}</span> : m.routes}</dd>
      </dl>
    );
  }
  if (status.traefik) {
    return (
      <p className="small" data-testid="proxy-traefik">
        Routed by the host's own Traefik (<span className="mono">{status.traefik.container}</span>, {status.traefik.image}): tenants carry its labels and the console leaves routing to it.
      </p>
    );
  }
  return (
    <p className="small" data-testid="proxy-none">
      No proxy: tenants are not reachable at their domains. Set up the managed proxy to serve each tenant over HTTPS with certificates obtained on demand.
    </p>
  );
}

function SetupForm({ hostId, current, onStarted, onCancel }: { hostId: string; current: ProxyStatus['managed']; onStarted: (jobId: string) => void; onCancel: () => void }) {
  const api = useApi();
  const [image, setImage] = useState(current?.image ?? 'caddy:2');
  const [baseDomain, setBaseDomain] = useState(current?.baseDomain ?? '');
  const [directoryUrl, setDirectoryUrl] = useState(current?.acmeDirectory ?? '');
  const [email, setEmail] = useState('');
  const { busy, error, onSubmit } = useSubmit();
  const submit = onSubmit(image.trim() !== '', async () => {
    const acme = { ...(directoryUrl.trim() ? { directoryUrl: directoryUrl.trim() } : {}), ...(email.trim() ? { email: email.trim() } : {}) };
    const started = await api.call('hosts.provisionProxy', { hostId, image: image.trim(), ...(baseDomain.trim() ? { baseDomain: baseDomain.trim() } : {}), acme });
    onStarted(started.jobId);
  });
  return (
    <form className="card" onSubmit={submit} aria-label="Managed proxy" data-testid="proxy-form">
      <p className="small">
        Runs Caddy as <span className="mono">fleet-proxy</span>, publishing ports 80 and 443. Its admin API is a Unix socket on the host (root and the Docker group only),
        reached through SSH. Certificates are obtained when a tenant's name is first visited, for names the console has routed. Upgrading keeps routes and certificates.
      </p>
      <Field label="Image" hint="Any image with the official caddy image's contract; it must already be on the host.">
        <input value={image} onChange={(e) => setImage(e.target.value)} required data-testid="proxy-image" />
      </Field>
      <Field label="Base domain" hint="New tenants answer at <name>.<base domain>; point a wildcard DNS record at this host.">
        <input value={baseDomain} onChange={(e) => setBaseDomain(e.target.value)} placeholder="shops.example.com" data-testid="proxy-domain" />
      </Field>
      <Field label="ACME directory" hint="Empty: Let's Encrypt, then ZeroSSL.">
        <input value={directoryUrl} onChange={(e) => setDirectoryUrl(e.target.value)} placeholder="https://…/directory" data-testid="proxy-acme" />
      </Field>
      <Field label="ACME contact e-mail" hint="Told of certificates about to expire.">
        <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} data-testid="proxy-email" />
      </Field>
      {error ? <ErrorBox error={error} compact testId="proxy-error" /> : null}
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={busy || !image.trim()} data-testid="proxy-submit">
          {busy ? 'Starting…' : current ? 'Upgrade' : 'Set up'}
        </button>
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

export function ProxySection({ hostId }: { hostId: string }) {
  const api = useApi();
  const canSetUp = useCan(NEEDS.provisionProxy);
  const fetch = useCallback(() => api.call('hosts.proxyStatus', { id: hostId }), [api, hostId]);
  const status = useLoad(fetch, { loadingAtFirst: true });
  const [editing, setEditing] = useState(false);
  const [jobId, setJobId] = useState<string | null>(null);
  return (
    <section className="card" aria-label="Routing" data-testid="proxy-section">
      <h3 className="card-title">Routing and HTTPS</h3>
      {status.error ? <ErrorBox error={status.error} compact testId="proxy-status-error" /> : null}
      {status.value ? <Summary status={status.value} /> : <p className="muted">{status.loading ? 'Loading…' : 'No data.'}</p>}
      {jobId ? (
        <div data-testid="proxy-job">
          <JobPanel jobId={jobId} title="Set up the managed proxy" />
          <button type="button" className="btn btn-small" onClick={() => { setJobId(null); void status.load(); }} data-testid="proxy-job-close">
            Close
          </button>
        </div>
      ) : null}
      {canSetUp && !jobId && status.value && !status.value.traefik ? (
        editing ? (
          <SetupForm hostId={hostId} current={status.value.managed} onStarted={(id) => { setJobId(id); setEditing(false); }} onCancel={() => setEditing(false)} />
        ) : (
          <button type="button" className="btn btn-small" onClick={() => setEditing(true)} data-testid="proxy-open">
            {status.value.managed ? 'Upgrade or change the proxy…' : 'Set up the managed proxy…'}
          </button>
        )
      ) : null}
    </section>
  );
}
