import { useEffect, useState } from 'react';
import { useLinkState } from '../../../ui-common/api/context.js';
import { VaultGate } from './VaultGate.js';
import { Shell } from './Shell.js';

export function Root() {
  return (
    <div className="app-frame">
      <LinkBanner />
      <VaultGate>{(gate) => <Shell vaultWarning={gate.vault.warning} session={gate.session} />}</VaultGate>
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
