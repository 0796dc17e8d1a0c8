import { useCallback } from 'react';
import type { BackupKeyView } from '../../../shared/backups.js';
import { useApi } from '../../../ui-common/api/context.js';
import type { FleetError } from './errors.js';
import { useLoad } from './use-load.js';

export interface BackupKeysState {
  /** null until the first answer. */
  keys: readonly BackupKeyView[] | null;
  error: FleetError | null;
  loading: boolean;
  reload: () => Promise<void>;
}

/** The backup keys this console holds (keys.list: ids and names, never the material). */
export function useBackupKeys(): BackupKeysState {
  const api = useApi();
  const fetchKeys = useCallback(async () => [...(await api.call('keys.list', {}))].sort((a, b) => a.name.localeCompare(b.name)), [api]);
  const { value: keys, error, loading, load: reload } = useLoad(fetchKeys);
  return { keys, error, loading, reload };
}

/** The name of a key this console holds, by its id. */
export function keyName(keys: readonly BackupKeyView[] | null, keyId: string): string | undefined {
  return keys?.find((k) => k.id === keyId)?.name;
}

/** A key id as the UIs show it: its name when this console holds it. */
export function keyLabel(keys: readonly BackupKeyView[] | null, keyId: string): string {
  return keyName(keys, keyId) ?? `key ${keyId}`;
}
