import { useState } from 'react';
import { useCarts } from '../lib/carts.js';
import type { Receipt } from '../lib/receipts.js';
import { OrdersScreen } from '../orders/OrdersScreen.js';
import { PaymentScreen } from '../pay/PaymentScreen.js';
import { ReceiptScreen } from '../receipt/ReceiptScreen.js';
import { SellScreen } from '../sell/SellScreen.js';
import { SessionScreen } from '../setup/SessionScreen.js';
import { SyncScreen } from '../sync/SyncScreen.js';
import { usePos } from './context.js';
import { StatusBar, UpdatePrompt } from './StatusBar.js';

type View = { kind: 'sell' } | { kind: 'payment' } | { kind: 'receipt'; receipt: Receipt; justPaid: boolean } | { kind: 'orders' } | { kind: 'sync' } | { kind: 'session' };

const NAV: Array<{ kind: 'sell' | 'orders' | 'sync' | 'session'; label: string }> = [
  { kind: 'sell', label: 'Sell' },
  { kind: 'orders', label: 'Orders' },
  { kind: 'sync', label: 'Sync' },
  { kind: 'session', label: 'Session' },
];

/** The screens past the set-up, under one status bar. */
export function Workspace({ onLock }: { onLock: () => void }) {
  const { terminal, data, cashier, carts } = usePos();
  const [view, setView] = useState<View>({ kind: 'sell' });
  const { carts: all, activeId, notice } = useCarts(carts);
  const active = all.find((c) => c.id === activeId);
  // Never between a cart's first line and its receipt: only an empty cart off the payment screen.
  const canReload = view.kind !== 'payment' && (active?.lines.length ?? 0) === 0;
  const section = view.kind === 'payment' || view.kind === 'receipt' ? 'sell' : view.kind;

  return (
    <>
      <StatusBar terminal={terminal} configName={data.configName} cashier={cashier} currency={data.currency}>
        <UpdatePrompt canReload={canReload} />
        <nav className="main-nav" aria-label="Screens">
          {NAV.map((item) => (
            <button
              key={item.kind}
              type="button"
              className={`nav-btn${section === item.kind ? ' active' : ''}`}
              aria-current={section === item.kind ? 'page' : undefined}
              disabled={view.kind === 'payment'}
              onClick={() => setView({ kind: item.kind })}
              data-testid={`nav-${item.kind}`}
            >
              {item.label}
            </button>
          ))}
          <button type="button" className="nav-btn" onClick={onLock} disabled={view.kind === 'payment'} data-testid="switch-cashier">
            Lock
          </button>
        </nav>
      </StatusBar>
      {notice ? (
        <p className="notice carts-notice" role="status" data-testid="carts-notice">
          {notice}{' '}
          <button type="button" className="btn" onClick={() => carts.dismissNotice()}>
            OK
          </button>
        </p>
      ) : null}
      <main className="workspace">
        {view.kind === 'sell' ? <SellScreen onPay={() => setView({ kind: 'payment' })} /> : null}
        {view.kind === 'payment' ? <PaymentScreen onBack={() => setView({ kind: 'sell' })} onPaid={(receipt) => setView({ kind: 'receipt', receipt, justPaid: true })} /> : null}
        {view.kind === 'receipt' ? <ReceiptScreen receipt={view.receipt} justPaid={view.justPaid} onDone={() => setView({ kind: view.justPaid ? 'sell' : 'orders' })} /> : null}
        {view.kind === 'orders' ? (
          <OrdersScreen onReprint={(receipt) => setView({ kind: 'receipt', receipt, justPaid: false })} onRefund={() => setView({ kind: 'sell' })} />
        ) : null}
        {view.kind === 'sync' ? <SyncScreen /> : null}
        {view.kind === 'session' ? <SessionScreen /> : null}
      </main>
    </>
  );
}
