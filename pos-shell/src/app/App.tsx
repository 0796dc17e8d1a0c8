import { useCallback, useEffect, useMemo, useState } from 'react';
import type { Api } from '../../../shared/api.js';
import type { Role, VaultStatus } from '../../../shared/contract.js';
import type { LinkState } from '../../../ui-common/api/client.js';
import { useApi, useLinkState } from '../../../ui-common/api/context.js';
import type { CartStore } from '../lib/carts.js';
import { readPosData, type PosData } from '../lib/catalog.js';
import { errorText } from '../lib/errors.js';
import { AlertLine } from '../lib/FormLines.js';
import { ProductCache } from '../lib/products.js';
import type { StartupReads } from '../lib/startup.js';
import { useTerminalStatus, type TerminalState } from '../lib/terminal-status.js';
import { CashierLogin, useCashier } from '../setup/CashierLogin.js';
import { OpenSessionForm } from '../setup/OpenSessionForm.js';
import { PairForm } from '../setup/PairForm.js';
import { VaultForm } from '../setup/VaultForm.js';
import { LinkBanner, StatusBar } from './StatusBar.js';
import { PosProvider } from './context.js';
import { Workspace } from './Workspace.js';

/**
 * The terminal's start: the service's vault, then pairing with Odoo, an open session and its
 * cached data (a small admin screen for each missing piece), then a cashier, then selling.
 */
export function App({ carts, startup }: { carts: CartStore; startup: StartupReads }) {
  const api = useApi();
  const terminal = useTerminalStatus();
  const vault = useVault();
  const status = terminal.status;
  // The first screen is chosen and has taken its reads (a child's effects run before its parent's): the start is over.
  const started = status !== null && vault.status !== null;
  useEffect(() => {
    if (started) startup.forget();
  }, [started, startup]);
  // Pairing again (the Session page too) gives a locked vault a new wrap: ask again.
  const pairedAt = status?.pairing?.pairedAt;
  const reloadVault = vault.reload;
  useEffect(() => {
    if (pairedAt) void reloadVault();
  }, [pairedAt, reloadVault]);

  let body;
  if (!status || !vault.status)
    body = (
      <Waiting
        title="Fleet POS"
        waitingFor="Connecting to the terminal service…"
        error={terminal.error ? errorText(terminal.error) : vault.error}
        onRetry={() => void terminal.reload().then(vault.reload)}
      />
    );
  // Only a passphrase is typed: a vault that opens by itself (key file, keychain) and did not still sells (see the banner).
  else if (vault.status.state === 'uninitialised' || (vault.status.state === 'locked' && vault.status.backend === 'passphrase')) body = <VaultForm status={vault.status} onDone={() => void vault.reload().then(terminal.reload)} />;
  else if (!status.pairing?.configId) body = <PairForm pairing={status.pairing} onPaired={() => void vault.reload().then(terminal.reload)} />;
  else if (!status.session) body = <OpenSessionForm onOpened={terminal.reload} />;
  else if (!status.cache.some((c) => c.model === 'product.product')) body = <OpenSessionForm refreshOnly onOpened={terminal.reload} />;
  else body = <Selling key={`${status.session.id}:${status.cache[0]?.loadedAt ?? ''}`} api={api} carts={carts} terminal={terminal} />;

  return (
    <div className="app-frame">
      <LinkBanner />
      {vault.status?.state === 'locked' ? <SecretBanner warning={vault.status.warning} /> : null}
      {body}
    </div>
  );
}

function useVault() {
  const api = useApi();
  const link = useLinkState();
  const [status, setStatus] = useState<VaultStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(async () => {
    try {
      setStatus(await api.call('vault.status', {}));
      setError(null);
    } catch (e) {
      setError(errorText(e));
    }
  }, [api]);
  useEffect(() => {
    // A restarted service may be locked again: ask whenever the link comes (back) up.
    if (link === 'connected') void reload();
  }, [link, reload]);
  return { status, error, reload };
}

/** The vault did not open by itself: selling goes on, nothing reaches Odoo until it is fixed or the terminal is paired again. */
function SecretBanner({ warning }: { warning: string | undefined }) {
  return (
    <div className="link-banner" role="alert" data-testid="secret-banner">
      Selling works; orders wait on this terminal: the Odoo password or API key cannot be read. {warning ?? ''} Fix that and restart the terminal, or pair it again (orders waiting are kept).
    </div>
  );
}

/** A gate while something loads: what it waits for, or the error and "Try again". */
function Waiting({ title, waitingFor, error, onRetry }: { title: string; waitingFor: string; error: string | null; onRetry: () => void }) {
  return (
    <main className="gate">
      <div className="gate-card">
        <h1>{title}</h1>
        {error ? (
          <>
            <AlertLine error={error} />
            <button type="button" className="btn" onClick={onRetry}>
              Try again
            </button>
          </>
        ) : (
          <p className="muted">{waitingFor}</p>
        )}
      </div>
    </main>
  );
}

/** Loads the cached catalog and the terminal's carts once per session and data refresh, then asks for a cashier. */
function Selling({ api, carts, terminal }: { api: Api; carts: CartStore; terminal: TerminalState }) {
  const [data, setData] = useState<PosData | null>(null);
  const [cartsReady, setCartsReady] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const products = useMemo(() => new ProductCache(api), [api]);
  const link = useLinkState();
  const cashier = useCashier(api, link);
  const role = useRole(api);

  const load = useCallback(() => {
    setError(null);
    api.call('pos.catalog', {}).then(
      (catalog) => {
        try {
          setData(readPosData(catalog));
        } catch (e) {
          setError(errorText(e));
        }
      },
      (e: unknown) => setError(errorText(e)),
    );
    carts.connect(api, products).then(
      () => setCartsReady(true),
      (e: unknown) => setError(errorText(e)),
    );
  }, [api, carts, products]);
  useEffect(load, [load]);
  // Pictures arrive after a refresh, in the background: read the data again to show them.
  useEffect(
    () =>
      api.on('pos.images', () => {
        products.clear();
        load();
      }),
    [api, load, products],
  );
  useSharedCarts(api, carts, link);

  if (!data || !cartsReady || cashier.current === undefined) {
    return <Waiting title="Loading the shop" waitingFor="Reading products and prices from this terminal…" error={error} onRetry={load} />;
  }
  if (!cashier.current) {
    return (
      <>
        <StatusBar terminal={terminal} configName={data.configName} cashier={null} currency={data.currency} />
        <CashierLogin employees={data.employees} onLogin={cashier.login} />
      </>
    );
  }
  return (
    <PosProvider value={{ api, data, cashier: cashier.current, carts, products, terminal, role }}>
      <Workspace onLock={cashier.logout} />
    </PosProvider>
  );
}

/**
 * Every page of the terminal shows the same carts: another page's changes arrive as events; after
 * the link comes back, or the page comes back from the back-forward cache, they are read again.
 */
function useSharedCarts(api: Api, carts: CartStore, link: LinkState) {
  useEffect(() => api.on('pos.carts', (change) => carts.onChange(change)), [api, carts]);
  useEffect(() => {
    if (link === 'connected') void carts.reload().catch(() => {});
  }, [link, carts]);
  useEffect(() => {
    const onShow = (event: PageTransitionEvent) => {
      if (event.persisted) void carts.reload().catch(() => {});
    };
    window.addEventListener('pageshow', onShow);
    return () => window.removeEventListener('pageshow', onShow);
  }, [carts]);
}

/** What this page may do: a cashier sells; set-up screens are an admin's. */
function useRole(api: Api): Role | null {
  const [role, setRole] = useState<Role | null>(null);
  useEffect(() => {
    api.call('session.info', {}).then(
      (info) => setRole(info.role),
      () => setRole(null),
    );
  }, [api]);
  return role;
}
