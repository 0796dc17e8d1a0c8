import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { OpInput } from '../../../shared/contract.js';
import type { HostView } from '../../../shared/hosts.js';
import { useApi } from '../../../ui-common/api/context.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { Field } from '../components/Field.js';
import { JobPanel } from '../components/JobView.js';
import { useJob } from '../lib/use-job.js';
import { issuesOf, splitIssues, toFleetError, type FleetError, type Issue } from '../lib/errors.js';
import { NEEDS } from '../lib/roles.js';
import { href, navigate } from '../lib/router.js';
import { useCan } from '../lib/session.js';

// Kept in step with shared/tenants.ts (ODOO_VERSIONS); a value import would bundle zod.
const ODOO_VERSIONS = ['16.0', '17.0', '18.0'] as const;

interface TenantDraft {
  name: string;
  domain: string;
  odooVersion: string;
  image: string;
  tag: string;
  modules: string;
  workers: string;
  memoryMb: string;
  cpus: string;
}

const EMPTY: TenantDraft = { name: '', domain: '', odooVersion: '17.0', image: 'odoo', tag: '', modules: 'base', workers: '2', memoryMb: '', cpus: '' };

const FIELDS = ['name', 'domain', 'odooVersion', 'image', 'tag', 'modules', 'workers', 'memoryMb', 'cpus'] as const;
type FieldKey = (typeof FIELDS)[number];
const FIELD_PATHS: Record<string, readonly string[]> = Object.fromEntries(FIELDS.map((f): [string, string[]] => [f, [f]]));

const FIELD_LABELS: Record<FieldKey, string> = {
  name: 'Name',
  domain: 'Domain',
  odooVersion: 'Odoo version',
  image: 'Image',
  tag: 'Tag',
  modules: 'Modules',
  workers: 'Workers',
  memoryMb: 'Memory (MB)',
  cpus: 'CPUs',
};

function moduleList(text: string): string[] {
  return text
    .split(/[,\s]+/)
    .map((m) => m.trim())
    .filter(Boolean);
}

/** Local checks only for what the schema cannot see (text that is not a number, empty required). */
function localErrors(d: TenantDraft): Partial<Record<FieldKey, string>> {
  const out: Partial<Record<FieldKey, string>> = {};
  if (!d.name.trim()) out.name = 'required';
  if (!d.domain.trim()) out.domain = 'required';
  const num = (k: 'workers' | 'memoryMb' | 'cpus', integer: boolean) => {
    const v = d[k].trim();
    if (!v) return;
    const n = Number(v);
    if (!Number.isFinite(n)) out[k] = 'not a number';
    else if (integer && !Number.isInteger(n)) out[k] = 'a whole number';
  };
  num('workers', true);
  num('memoryMb', true);
  num('cpus', false);
  return out;
}

function buildInput(hostId: string, d: TenantDraft): OpInput<'tenants.create'> {
  const input: OpInput<'tenants.create'> = {
    hostId,
    name: d.name.trim(),
    domain: d.domain.trim(),
    odooVersion: d.odooVersion as (typeof ODOO_VERSIONS)[number],
    image: d.image.trim() || 'odoo',
  };
  if (d.tag.trim()) input.tag = d.tag.trim();
  const modules = moduleList(d.modules);
  if (modules.length > 0) input.modules = modules;
  if (d.workers.trim()) input.workers = Number(d.workers);
  if (d.memoryMb.trim()) input.memoryMb = Number(d.memoryMb);
  if (d.cpus.trim()) input.cpus = Number(d.cpus);
  return input;
}

/** modules.<n> issues name the module instead of a position. */
function withModuleNames(issues: readonly Issue[], modules: readonly string[]): Issue[] {
  return issues.map((i) => {
    const m = /^modules\.(\d+)$/.exec(i.path);
    return m ? { path: 'modules', message: `${modules[Number(m[1])] ?? `#${Number(m[1]) + 1}`}: ${i.message}` } : i;
  });
}

export function CreateTenantPage({ hostId, jobId, host }: { hostId: string; jobId: string | null; host: HostView | undefined }) {
  const api = useApi();
  const canCreate = useCan(NEEDS.createTenant);
  const [draft, setDraft] = useState<TenantDraft>(EMPTY);
  const [local, setLocal] = useState<Partial<Record<FieldKey, string>>>({});
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<{ error: FleetError; modules: string[] } | null>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const [focusInvalid, setFocusInvalid] = useState(0);

  useEffect(() => {
    if (focusInvalid) formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [focusInvalid]);

  if (jobId) {
    return (
      <div className="tenant-job-page">
        <JobPanel jobId={jobId} title="Create tenant" />
        <Credentials jobId={jobId} />
        <div className="actions">
          <a className="btn" href={href.host(hostId)} data-testid="back-to-host">
            Back to {host?.name ?? 'the host'}
          </a>
          {canCreate ? (
            <a className="btn btn-ghost" href={href.createTenant(hostId)} data-testid="create-another">
              Create another tenant
            </a>
          ) : null}
        </div>
      </div>
    );
  }

  if (!canCreate) return <p className="muted">Creating tenants needs the admin role.</p>;

  const set = (k: FieldKey, v: string) => {
    setDraft((d) => ({ ...d, [k]: v }));
    if (local[k]) setLocal((l) => ({ ...l, [k]: '' }));
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const errs = localErrors(draft);
    setLocal(errs);
    setFailure(null);
    if (Object.values(errs).some(Boolean)) {
      setFocusInvalid((n) => n + 1);
      return;
    }
    setBusy(true);
    const input = buildInput(hostId, draft);
    try {
      const started = await api.call('tenants.create', input);
      navigate(href.createTenant(hostId, started.jobId));
    } catch (err) {
      const error = toFleetError(err);
      setFailure({ error, modules: input.modules ?? [] });
      if (error.code === 'VALIDATION' || error.code === 'CONFLICT') setFocusInvalid((n) => n + 1);
    } finally {
      setBusy(false);
    }
  };

  const { byField, rest } = splitIssues(withModuleNames(issuesOf(failure?.error), failure?.modules ?? []), FIELD_PATHS);
  if (failure?.error.code === 'CONFLICT') byField['name'] ??= failure.error.message;
  const err = (k: FieldKey) => local[k] || byField[k] || undefined;
  const onlyFields = failure?.error.code === 'VALIDATION' && rest.length === 0;

  const input = (k: FieldKey, props: { placeholder?: string; inputMode?: 'numeric' | 'decimal'; className?: string; autoFocus?: boolean } = {}) => (
    <input value={draft[k]} onChange={(e) => set(k, e.target.value)} spellCheck={false} data-testid={`tenant-form-${k}`} {...props} />
  );

  return (
    <form className="host-form tenant-form" ref={formRef} onSubmit={submit} noValidate data-testid="tenant-form">
      <p className="muted">
        On <strong>{host?.name ?? hostId}</strong>: an Odoo container, its PostgreSQL database and role, a filestore volume and routing. The console runs
        it as a job you can follow and cancel.
      </p>
      <fieldset className="form-section">
        <legend>Tenant</legend>
        <div className="grid grid-2">
          <Field label="Name" error={err('name')} errorTestId="field-error-name" hint='Lowercase letters, digits and "-"; becomes a DNS label.'>
            {input('name', { placeholder: 'acme', autoFocus: true })}
          </Field>
          <Field
            label="Domain"
            error={err('domain')}
            errorTestId="field-error-domain"
            hint={draft.name.trim() && draft.domain.trim() ? `Public host: ${draft.name.trim()}.${draft.domain.trim().toLowerCase()}` : 'The public host is <name>.<domain>.'}
          >
            {input('domain', { placeholder: 'shops.example.com' })}
          </Field>
        </div>
      </fieldset>
      <fieldset className="form-section">
        <legend>Odoo</legend>
        <div className="grid grid-3">
          <Field label="Odoo version" error={err('odooVersion')} errorTestId="field-error-odooVersion">
            <select value={draft.odooVersion} onChange={(e) => set('odooVersion', e.target.value)} data-testid="tenant-form-odooVersion">
              {ODOO_VERSIONS.map((v) => (
                <option key={v} value={v}>
                  {v}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Image" error={err('image')} errorTestId="field-error-image">
            {input('image', { className: 'mono' })}
          </Field>
          <Field label="Tag" error={err('tag')} errorTestId="field-error-tag" hint="Optional; defaults to the Odoo version.">
            {input('tag', { placeholder: draft.odooVersion, className: 'mono' })}
          </Field>
        </div>
        <Field label="Modules" error={err('modules')} errorTestId="field-error-modules" hint='Comma-separated, e.g. "base, sale, stock"; base is always installed.'>
          {input('modules', { className: 'mono' })}
        </Field>
      </fieldset>
      <fieldset className="form-section">
        <legend>Resources</legend>
        <div className="grid grid-3">
          <Field label="Workers" error={err('workers')} errorTestId="field-error-workers" hint="0 runs Odoo threaded.">
            {input('workers', { inputMode: 'numeric' })}
          </Field>
          <Field label="Memory (MB)" error={err('memoryMb')} errorTestId="field-error-memoryMb" hint="Optional limit; at least 256.">
            {input('memoryMb', { inputMode: 'numeric', placeholder: 'no limit' })}
          </Field>
          <Field label="CPUs" error={err('cpus')} errorTestId="field-error-cpus" hint="Optional limit, e.g. 1.5.">
            {input('cpus', { inputMode: 'decimal', placeholder: 'no limit' })}
          </Field>
        </div>
      </fieldset>
      <div className="step-actions">
        <button type="submit" className="btn btn-primary" disabled={busy} data-testid="create-tenant-submit">
          {busy ? 'Starting…' : 'Create tenant'}
        </button>
        <a href={href.host(hostId)} className="btn btn-ghost">
          Cancel
        </a>
      </div>
      {failure && onlyFields ? (
        <div className="field-error" role="alert" data-testid="form-error" data-code="VALIDATION">
          Some values need fixing:{' '}
          {Object.entries(byField)
            .map(([k, m]) => `${FIELD_LABELS[k as FieldKey] ?? k}: ${m}`)
            .join(' · ')}
        </div>
      ) : failure ? (
        <ErrorBox error={failure.error} rest={rest} reveal />
      ) : null}
    </form>
  );
}

/** The generated Odoo admin password, shown once on request after the tenant is up. */
function Credentials({ jobId }: { jobId: string }) {
  const api = useApi();
  const { job } = useJob(jobId);
  const [shown, setShown] = useState<{ login: string; password: string } | null>(null);
  const [error, setError] = useState<FleetError | null>(null);
  if (job?.state !== 'succeeded') return null;
  if (shown) {
    return (
      <div className="notice" data-testid="tenant-credentials">
        <p>Odoo administrator — copy it now, it will not be shown again:</p>
        <p className="mono">
          login <strong>{shown.login}</strong> · password <strong data-testid="tenant-admin-password">{shown.password}</strong>
        </p>
      </div>
    );
  }
  return (
    <div className="notice">
      <button
        type="button"
        className="btn"
        data-testid="reveal-credentials"
        onClick={() => {
          api.call('tenants.credentials', { jobId }).then(setShown, (e: unknown) => setError(toFleetError(e)));
        }}
      >
        Show the admin password (once)
      </button>
      {error ? <ErrorBox error={error} testId="credentials-error" /> : null}
    </div>
  );
}
