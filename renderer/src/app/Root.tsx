import { useEffect, useState } from 'react';
import { useLinkState } from '../../../ui-common/api/context.js';
import type { GateAnswers } from '../lib/gate.js';
import type { HostList } from '../lib/hosts-store.js';
import { VaultGate } from './VaultGate.js';
import { Shell } from './Shell.js';

/** `gate` and `hosts` were asked for as the page started (main.tsx). */
export function Root({ gate, hosts }: { gate: Promise<GateAnswers>; hosts: HostList }) {
  return (
    <div className="app-frame">
      <LinkBanner />
      <VaultGate first={gate}>{(answers) => <Shell vaultWarning={answers.vault.warning} session={answers.session} hosts={hosts} />}</VaultGate>
    </div>
  );
}

/** A thin banner while the WebSocket to the console service is down (it reconnects by itself). */
function LinkBanner() {
  const link = useLinkState();
  const [long, setLong] = useState(false);
  useEffect(() => {
    setLong(false);
    if (link !== 'disconnected') return;
    const timer = setTimeout(() => setLong(true), 10_000);
    return () => clearTimeout(timer);
  }, [link]);
  if (link !== 'disconnected') return null;
  return (
    <div className="link-banner" role="status" data-testid="connection-banner">
      Disconnected from the console service — reconnecting…
      {long ? ' If it was restarted, open the new URL it printed (sessions do not survive a restart).' : ''}
    </div>
  );
}
