import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { HostView, SshImportCandidate } from '../../../shared/hosts.js';
import { useApi } from '../../../ui-common/api/context.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { toFleetError, type FleetError } from '../lib/errors.js';
import { draftFromCandidate, jumpChainText, type PrefilledDraft } from '../lib/host-draft.js';
import { NEEDS } from '../lib/roles.js';
import { useCan } from '../lib/session.js';

function baseName(p: string): string {
  const i = p.lastIndexOf('/');
  return i >= 0 ? p.slice(i + 1) : p;
}

export function ImportPage({ hosts, onPick }: { hosts: readonly HostView[]; onPick: (d: PrefilledDraft) => void }) {
  const api = useApi();
  const canImport = useCan(NEEDS.importHosts);
  const [configPath, setConfigPath] = useState('');
  const [state, setState] = useState<{ loading: boolean; list: SshImportCandidate[] | null; error: FleetError | null }>({ loading: true, list: null, error: null });

  const load = useCallback(
    (path: string) => {
      setState((s) => ({ ...s, loading: true, error: null }));
      const input: { configPath?: string } = {};
      if (path.trim()) input.configPath = path.trim();
      api.call('hosts.sshConfigCandidates', input).then(
        (list) => setState({ loading: false, list, error: null }),
        (e: unknown) => setState({ loading: false, list: null, error: toFleetError(e) }),
      );
    },
    [api],
  );

  useEffect(() => {
    if (canImport) load('');
  }, [canImport, load]);

  if (!canImport) return <p className="muted">Importing hosts needs the admin role.</p>;

  const pick = (c: SshImportCandidate) => onPick(draftFromCandidate(c, hosts, state.list ?? []));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    load(configPath);
  };

  return (
    <div className="import-page">
      <p className="muted">
        Hosts your <code>~/.ssh/config</code> declares, resolved as OpenSSH resolves them (Include, wildcard patterns, ProxyJump). Pick one to
        prefill the add-host form; you still confirm its key fingerprint.
      </p>
      <form className="inline-row" onSubmit={submit}>
        <label htmlFor="config-path" className="small muted nowrap">
          Config file
        </label>
        <input
          id="config-path"
          className="mono grow"
          value={configPath}
          onChange={(e) => setConfigPath(e.target.value)}
          placeholder="~/.ssh/config (default)"
          spellCheck={false}
          data-testid="import-config-path"
        />
        <button type="submit" className="btn" disabled={state.loading} data-testid="import-reload">
          {state.loading ? 'Reading…' : 'Read'}
        </button>
      </form>
      {state.error ? <ErrorBox error={state.error} testId="import-error" /> : null}
      {state.list && state.list.length === 0 ? <p className="muted" data-testid="import-empty">No concrete Host entries found (wildcard patterns alone are not hosts).</p> : null}
      {state.list && state.list.length > 0 ? (
        <div className="table-wrap">
          <table className="table table-hover" data-testid="import-table">
            <thead>
              <tr>
                <th>Alias</th>
                <th>Host name</th>
                <th>Port</th>
                <th>User</th>
                <th>Identity files</th>
                <th>Jump chain</th>
                <th>Status</th>
                <th>
                  <span className="sr-only">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {state.list.map((c) => (
                <tr key={c.alias} data-testid={`import-row-${c.alias}`} className={c.alreadyAdded ? 'is-added' : undefined} onClick={() => pick(c)}>
                  <td className="strong">{c.alias}</td>
                  <td className="mono">{c.hostName}</td>
                  <td className="mono">{c.port}</td>
                  <td className="mono">{c.user}</td>
                  <td className="mono small" title={c.identityFiles.join('\n')}>
                    {c.identityFiles.length ? c.identityFiles.map(baseName).join(', ') : c.identityAgent ? 'agent' : '—'}
                  </td>
                  <td className="mono small">{c.proxyJump.length ? jumpChainText(c) : '—'}</td>
                  <td>{c.alreadyAdded ? <span className="tag" data-testid={`import-added-${c.alias}`}>already added</span> : null}</td>
                  <td>
                    <button
                      type="button"
                      className="btn btn-small"
                      onClick={(e) => {
                        e.stopPropagation();
                        pick(c);
                      }}
                      data-testid={`import-use-${c.alias}`}
                    >
                      Use
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </div>
  );
}
