import { Fragment } from 'react';
import type { BackupEntry, BackupKeyView } from '../../../../shared/backups.js';
import type { HostView } from '../../../../shared/hosts.js';
import { CopyButton } from '../../components/CopyButton.js';
import { copyHostName, copyLabel } from '../../lib/destinations.js';
import { formatBytes, formatDateTime, formatDuration } from '../../lib/format.js';
import { keyLabel, keyName } from '../../lib/use-backup-keys.js';

// The host's catalog for one tenant: a row per archive (state, size, checksum, copies, Odoo and
// PostgreSQL versions, the verification verdict) and a second line with its contents, every
// copy and its errors.

const STATE_CLASS: Record<BackupEntry['state'], string> = { running: 'tag', succeeded: 'tag tag-ok', failed: 'tag tag-bad' };

/** Verify and restore read any copy the console can reach; the server says when none is. */
export function restorable(b: BackupEntry): boolean {
  return b.state === 'succeeded' && b.destinations.length > 0;
}

function Sha({ sha }: { sha: string | null }) {
  if (!sha) return <span className="muted">—</span>;
  return (
    <span className="sha" title={sha}>
      <code data-testid="backup-sha" data-sha={sha}>
        {sha.slice(0, 12)}
      </code>
      <CopyButton text={sha} label="Copy the SHA-256" testId="backup-sha-copy" />
    </span>
  );
}

function Verdict({ v }: { v: BackupEntry['verification'] }) {
  if (!v) {
    return (
      <span className="muted" data-testid="backup-verdict" data-ok="">
        not verified
      </span>
    );
  }
  return (
    <span className={v.ok ? 'text-ok' : 'text-fail'} data-testid="backup-verdict" data-ok={v.ok ? 'true' : 'false'} data-method={v.method}>
      {v.ok ? '✓' : '✕'} {v.method} {v.ok ? 'ok' : 'failed'}
    </span>
  );
}

function Copies({ b, hosts }: { b: BackupEntry; hosts: ReadonlyMap<string, HostView> }) {
  if (b.destinations.length === 0) return null;
  return (
    <ul className="backup-copies" data-testid="backup-copies" data-count={b.destinations.length}>
      {b.destinations.map((d, i) => (
        <li key={`${d.kind}:${d.path}:${i}`} data-testid="backup-copy" data-kind={d.kind} data-host={copyHostName(d, hosts) ?? ''}>
          <span className="muted">{copyLabel(d, hosts)}: </span>
          <span className="mono wrap-anywhere" data-testid="backup-path">
            {d.path}
          </span>
        </li>
      ))}
    </ul>
  );
}

export interface BackupRowActions {
  canVerify: boolean;
  canRestore: boolean;
  /** A job of this section runs: no second one. */
  running: boolean;
  verifying: string | null;
  onVerify: (b: BackupEntry) => void;
  onRestore: (b: BackupEntry) => void;
}

export function BackupsTable({
  entries,
  hosts,
  keys,
  actions,
}: {
  entries: readonly BackupEntry[];
  hosts: ReadonlyMap<string, HostView>;
  keys: readonly BackupKeyView[] | null;
  actions: BackupRowActions;
}) {
  const showActions = actions.canVerify || actions.canRestore;
  const columns = showActions ? 9 : 8;
  return (
    <div className="table-wrap">
      <table className="table table-dense backups-table" data-testid="backups-table">
        <thead>
          <tr>
            <th>Started</th>
            <th>Archive</th>
            <th className="num">Size</th>
            <th className="num">Took</th>
            <th>SHA-256</th>
            <th className="num">Copies</th>
            <th>Odoo · PG</th>
            <th>Verified</th>
            {showActions ? <th aria-label="Actions" /> : null}
          </tr>
        </thead>
        <tbody>
          {entries.map((b) => (
            <Fragment key={b.id}>
              <tr
                data-testid={`backup-row-${b.id}`}
                data-state={b.state}
                data-kind={b.kind}
                data-encrypted={b.encrypted ? 'true' : 'false'}
                className={`backup-main${b.state === 'failed' ? ' is-failed' : ''}`}
              >
                <td className="nowrap" title={b.startedAt}>
                  {formatDateTime(b.startedAt)}
                </td>
                <td>
                  <span className={b.kind === 'final' ? 'tag tag-bad' : 'tag'} data-testid="backup-kind" title={b.kind === 'final' ? 'The final archive of a decommission' : 'A backup'}>
                    {b.kind}
                  </span>{' '}
                  <span className={STATE_CLASS[b.state]} data-testid="backup-state" data-state={b.state}>
                    {b.state}
                  </span>
                  {b.encrypted ? (
                    <>
                      {' '}
                      <span className="tag tag-key" data-testid="backup-encrypted" data-key-id={b.keyId ?? ''} title={`Encrypted with backup key ${b.keyId ?? '?'}`}>
                        encrypted · {b.keyId ? keyLabel(keys, b.keyId) : 'unknown key'}
                      </span>
                    </>
                  ) : null}
                </td>
                <td className="num nowrap" title={b.bytes === null ? '' : `${b.bytes} bytes`} data-testid="backup-size">
                  {b.bytes === null ? '—' : formatBytes(b.bytes)}
                </td>
                <td className="num nowrap">{formatDuration(b.durationMs)}</td>
                <td className="nowrap">
                  <Sha sha={b.sha256} />
                </td>
                <td className="num nowrap" data-testid="backup-copies-count" data-count={b.destinations.length} title={b.destinations.map((d) => `${copyLabel(d, hosts)}: ${d.path}`).join('\n')}>
                  {b.destinations.length}
                </td>
                <td className="nowrap small" title={`Odoo ${b.odooVersion ?? '?'} · PostgreSQL ${b.pgVersion ?? '?'}`}>
                  {b.odooVersion || b.pgVersion ? `${b.odooVersion ?? '?'} · ${b.pgVersion ?? '?'}` : '—'}
                </td>
                <td className="nowrap small" title={b.verification ? `${b.verification.method}, ${formatDateTime(b.verification.at)}: ${b.verification.detail}` : ''}>
                  <Verdict v={b.verification} />
                </td>
                {showActions ? (
                  <td className="nowrap">
                    {restorable(b) ? (
                      <span className="inline-row backup-actions">
                        {actions.canVerify ? (
                          <button
                            type="button"
                            className="btn btn-small"
                            onClick={() => actions.onVerify(b)}
                            disabled={actions.running || actions.verifying !== null}
                            data-testid="backup-verify"
                          >
                            {actions.verifying === b.id ? 'Starting…' : 'Verify'}
                          </button>
                        ) : null}
                        {actions.canRestore ? (
                          <button type="button" className="btn btn-small btn-danger-ghost" onClick={() => actions.onRestore(b)} disabled={actions.running} data-testid="backup-restore">
                            Restore…
                          </button>
                        ) : null}
                      </span>
                    ) : null}
                  </td>
                ) : null}
              </tr>
              <tr className={`backup-detail${b.state === 'failed' ? ' is-failed' : ''}`} data-testid={`backup-detail-${b.id}`}>
                <td colSpan={columns} className="small">
                  <span data-testid="backup-contents">
                    {b.rowCounts ? `${Object.keys(b.rowCounts).length} tables counted` : 'no table counts'}
                    {b.filestore ? ` · ${b.filestore.files} filestore files` : ''}
                  </span>
                  {b.keyId ? (
                    <span data-testid="backup-key-detail">
                      <span className="muted"> · encrypted with key </span>
                      <span className="mono">{b.keyId}</span>
                      {keyName(keys, b.keyId) ? ` (${keyName(keys, b.keyId)})` : <span className="muted"> (not on this console)</span>}
                    </span>
                  ) : null}
                  <Copies b={b} hosts={hosts} />
                  {b.verification ? (
                    <div className="wrap-anywhere" data-testid="backup-verdict-detail">
                      <span className="muted">
                        {b.verification.method === 'restore' ? 'Restore drill' : 'Check'} {formatDateTime(b.verification.at)}:{' '}
                      </span>
                      {b.verification.detail}
                    </div>
                  ) : null}
                  {b.error ? (
                    <div className="danger-text wrap-anywhere" data-testid={`backup-error-${b.id}`}>
                      {b.error}
                    </div>
                  ) : null}
                </td>
              </tr>
            </Fragment>
          ))}
        </tbody>
      </table>
    </div>
  );
}
