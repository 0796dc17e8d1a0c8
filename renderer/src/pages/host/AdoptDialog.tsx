import { useEffect, useId, useState } from 'react';
import type { OpInput } from '../../../../shared/contract.js';
import type { ReconcileItem } from '../../../../shared/reconcile.js';
import { ODOO_VERSIONS } from '../../../../shared/tenants.js';
import { useApi } from '../../../../ui-common/api/context.js';
import { SubmitActions } from '../../components/DialogActions.js';
import { ErrorBox } from '../../components/ErrorBox.js';
import { Field } from '../../components/Field.js';
import { issuesOf, splitIssues } from '../../lib/errors.js';
import { useSubmit } from '../../lib/use-submit.js';

// Adopting a reconcile item as a tenant (tenants.adopt): an unlabelled Odoo container is recreated
// with the fleet labels; an unclaimed Odoo database gets a role of its own and a tenant around it.

type Key = 'name' | 'domain' | 'database' | 'image' | 'tag' | 'odooVersion' | 'workers' | 'memoryMb' | 'cpus';
type Draft = Record<Key, string>;

const FIELD_PATHS: Record<Key, readonly string[]> = {
  name: ['name'],
  domain: ['domain'],
  database: ['database'],
  image: ['image'],
  tag: ['tag'],
  odooVersion: ['odooVersion'],
  workers: ['workers'],
  memoryMb: ['memoryMb'],
  cpus: ['cpus'],
};

/** A tenant name from a container or database name: lowercase, "-" for anything else, trimmed to 40. */
export function suggestTenantName(from: string): string {
  const s = from
    .toLowerCase()
    .replace(/^\/+/, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return s.length >= 2 ? s : '';
}

function initialDraft(item: ReconcileItem): Draft {
  const container = item.containers[0];
  const source = item.kind === 'adoptable-container' ? (container?.name ?? '') : (item.database ?? '');
  const image = container?.image.split(':')[0] ?? 'odoo';
  return {
    name: suggestTenantName(source),
    domain: '',
    database: '',
    image: item.kind === 'adoptable-database' ? 'odoo' : image,
    tag: '17.0',
    odooVersion: '17.0',
    workers: '2',
    memoryMb: '',
    cpus: '',
  };
}

function num(v: string): number | undefined {
  const t = v.trim();
  return t === '' ? undefined : Number(t);
}

export function AdoptDialog({ hostId, item, onClose, onStarted }: { hostId: string; item: ReconcileItem; onClose: () => void; onStarted: (jobId: string) => void }) {
  const api = useApi();
  const titleId = useId();
  const [draft, setDraft] = useState<Draft>(() => initialDraft(item));
  const { busy, error, onSubmit } = useSubmit({ holdOnSuccess: true });
  const isContainer = item.kind === 'adoptable-container';
  const container = item.containers[0];

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !busy) onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [busy, onClose]);

  const set = (k: Key, v: string) => setDraft((d) => ({ ...d, [k]: v }));

  const submit = onSubmit(draft.name.trim() !== '', async () => {
    let input: OpInput<'tenants.adopt'>;
    if (isContainer) {
      input = { kind: 'container', hostId, name: draft.name.trim(), container: container?.id ?? '' };
      if (draft.domain.trim()) input.domain = draft.domain.trim();
      if (!item.database && draft.database.trim()) input.database = draft.database.trim();
    } else {
      input = {
        kind: 'database',
        hostId,
        name: draft.name.trim(),
        database: item.database ?? '',
        image: draft.image.trim(),
        tag: draft.tag.trim(),
        domain: draft.domain.trim(),
        odooVersion: draft.odooVersion as (typeof ODOO_VERSIONS)[number],
        workers: num(draft.workers) ?? 2,
      };
      const memoryMb = num(draft.memoryMb);
      const cpus = num(draft.cpus);
      if (memoryMb !== undefined) input.memoryMb = memoryMb;
      if (cpus !== undefined) input.cpus = cpus;
    }
    const { jobId } = await api.call('tenants.adopt', input);
    onStarted(jobId);
  });

  const { byField, rest } = splitIssues(issuesOf(error), FIELD_PATHS);
  if (error?.code === 'CONFLICT') byField.name ??= error.message;
  const input = (k: Key, props: { placeholder?: string; className?: string; inputMode?: 'numeric' | 'decimal'; autoFocus?: boolean } = {}) => (
    <input value={draft[k]} onChange={(e) => set(k, e.target.value)} spellCheck={false} data-testid={`adopt-form-${k}`} {...props} />
  );

  return (
    <div className="modal-backdrop">
      <div className="modal card" role="dialog" aria-modal="true" aria-labelledby={titleId} data-testid="adopt-dialog" data-kind={item.kind}>
        <h2 id={titleId} className="modal-title">
          Adopt {isContainer ? `container ${container?.name ?? ''}` : `database ${item.database ?? ''}`}
        </h2>
        <div className="modal-body small">
          {isContainer ? (
            <p>
              Docker cannot relabel a container, so the console recreates it as <span className="mono">fleet-{draft.name.trim() || '<name>'}</span> with the
              same image, command, environment, mounts, networks and limits plus the fleet labels. The old one is stopped, and removed only once the new one
              answers <span className="mono">/web/health</span>; a failure starts the old one again.
            </p>
          ) : (
            <p>
              A database role of its own takes the database over, then the tenant is built around it like a new one (volumes, secrets, server, health).
              Nothing is initialised and Odoo’s users stay as they are. Its filestore is not copied: bring it into the tenant’s data volume by hand if it had
              one.
            </p>
          )}
        </div>
        <form onSubmit={submit} noValidate data-testid="adopt-form">
          <div className="grid grid-2">
            <Field label="Tenant name" error={byField.name} errorTestId="adopt-error-name" hint='Lowercase letters, digits and "-".'>
              {input('name', { placeholder: 'acme', autoFocus: true, className: 'mono' })}
            </Field>
            <Field
              label={isContainer ? 'Domain (optional)' : 'Domain'}
              error={byField.domain}
              errorTestId="adopt-error-domain"
              hint={draft.domain.trim() && draft.name.trim() ? `Public host: ${draft.name.trim()}.${draft.domain.trim().toLowerCase()}` : isContainer ? 'Routing labels only when given.' : 'The public host is <name>.<domain>.'}
            >
              {input('domain', { placeholder: 'shops.example.com' })}
            </Field>
          </div>
          {isContainer && !item.database ? (
            <Field label="Database" error={byField.database} errorTestId="adopt-error-database" hint="Its command line names none (-d): the database it serves.">
              {input('database', { className: 'mono' })}
            </Field>
          ) : null}
          {isContainer && item.database ? (
            <p className="small muted">
              Database: <span className="mono">{item.database}</span> (from its command line)
            </p>
          ) : null}
          {!isContainer ? (
            <>
              <div className="grid grid-3">
                <Field label="Odoo version" error={byField.odooVersion}>
                  <select value={draft.odooVersion} onChange={(e) => set('odooVersion', e.target.value)} data-testid="adopt-form-odooVersion">
                    {ODOO_VERSIONS.map((v) => (
                      <option key={v} value={v}>
                        {v}
                      </option>
                    ))}
                  </select>
                </Field>
                <Field label="Image" error={byField.image} errorTestId="adopt-error-image">
                  {input('image', { className: 'mono' })}
                </Field>
                <Field label="Tag" error={byField.tag} errorTestId="adopt-error-tag">
                  {input('tag', { className: 'mono' })}
                </Field>
              </div>
              <div className="grid grid-3">
                <Field label="Workers" error={byField.workers} hint="0 runs Odoo threaded.">
                  {input('workers', { inputMode: 'numeric' })}
                </Field>
                <Field label="Memory (MB)" error={byField.memoryMb} hint="Optional; at least 256.">
                  {input('memoryMb', { inputMode: 'numeric', placeholder: 'no limit' })}
                </Field>
                <Field label="CPUs" error={byField.cpus} hint="Optional, e.g. 1.5.">
                  {input('cpus', { inputMode: 'decimal', placeholder: 'no limit' })}
                </Field>
              </div>
            </>
          ) : null}
          {error && (error.code !== 'VALIDATION' || rest.length > 0) && error.code !== 'CONFLICT' ? <ErrorBox error={error} rest={rest} compact testId="adopt-error" /> : null}
          <SubmitActions label="Adopt" busy={busy} ready={draft.name.trim() !== ''} onCancel={onClose} testIdPrefix="adopt" />
        </form>
      </div>
    </div>
  );
}
