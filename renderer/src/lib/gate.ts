import type { Api } from '../../../shared/api.js';
import type { VaultStatus } from '../../../shared/contract.js';
import type { SessionInfo } from './session.js';

/** What the console must know before it shows anything: the vault's state and who we are. */
export interface GateAnswers {
  vault: VaultStatus;
  session: SessionInfo;
}

export function askGate(api: Api): Promise<GateAnswers> {
  return Promise.all([api.call('vault.status', {}), api.call('session.info', {})]).then(([vault, session]) => ({ vault, session }));
}
