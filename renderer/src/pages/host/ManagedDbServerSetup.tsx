import { useState } from 'react';
import { useApi } from '../../../../ui-common/api/context.js';
import { ErrorBox } from '../../components/ErrorBox.js';
import { Field } from '../../components/Field.js';
import { JobPanel } from '../../components/JobView.js';
import { useSubmit } from '../../lib/use-submit.js';

/**
 * For a host without a database server: set up a PostgreSQL container the console manages
 * (hosts.provisionDbServer), and follow its job. The host's settings update when it succeeds.
 */
export function ManagedDbServerSetup({ hostId, hasDbServer }: { hostId: string; hasDbServer: boolean }) {
  const api = useApi();
  const [open, setOpen] = useState(false);
  const [image, setImage] = useState('postgres:16');
  const { busy, error, onSubmit } = useSubmit();
  const [jobId, setJobId] = useState<string | null>(null);

  if (jobId) {
    return (
      <div className="managed-db-job" data-testid="managed-db-job">
        <JobPanel jobId={jobId} title="Set up a managed PostgreSQL container" />
        <button type="button" className="btn btn-small" onClick={() => setJobId(null)} data-testid="managed-db-job-close">
          Close
        </button>
      </div>
    );
  }
  if (hasDbServer) return null;
  if (!open) {
    return (
      <button type="button" className="btn btn-small" onClick={() => setOpen(true)} data-testid="managed-db-open">
        Set up a managed PostgreSQL container…
      </button>
    );
  }

  const submit = onSubmit(image.trim() !== '', async () => {
    const started = await api.call('hosts.provisionDbServer', { hostId, image: image.trim() });
    setJobId(started.jobId);
    setOpen(false);
  });

  return (
    <form className="card managed-db-form" onSubmit={submit} aria-label="Managed PostgreSQL" data-testid="managed-db-form">
      <p className="small">
        Runs a container <span className="mono">fleet-postgres</span> on the Docker network <span className="mono">fleet</span> with its own data
        volume and a generated superuser password (kept encrypted here). No port is published: the console reaches it through SSH, tenants by name.
      </p>
      <Field label="Image" hint="Any image with the official postgres image's contract; it must already be on the host.">
        <input value={image} onChange={(e) => setImage(e.target.value)} required data-testid="managed-db-image" />
      </Field>
      {error ? <ErrorBox error={error} compact testId="managed-db-error" /> : null}
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={busy || !image.trim()} data-testid="managed-db-submit">
          {busy ? 'Starting…' : 'Set up'}
        </button>
        <button type="button" className="btn" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
