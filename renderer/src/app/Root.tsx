import { useLinkState } from '../api/context.js';
import { VaultGate } from './VaultGate.js';
import { Shell } from './Shell.js';

export function Root() {
  return (
    <>
      <LinkBanner />
      <VaultGate>{(gate) => <Shell vaultWarning={gate.vault.warning} session={gate.session} />}</VaultGate>
    </>
  );
}

/** A thin banner while the WebSocket to the console service is down (it reconnects by itself). */
function LinkBanner() {
  const link = useLinkState();
  if (link !== 'disconnected') return null;
  return (
    <div className="link-banner" role="status" data-testid="connection-banner">
      Disconnected from the console service — reconnecting…
    </div>
  );
}
