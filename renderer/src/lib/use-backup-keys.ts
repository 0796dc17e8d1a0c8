import { useCallback, useEffect, useRef, useState } from 'react';
import type { BackupKeyView } from '../../../shared/backups.js';
import { useApi } from '../../../ui-common/api/context.js';
import { toFleetError, type FleetError } from './errors.js';

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
  const [keys, setKeys] = useState<readonly BackupKeyView[] | null>(null);
  const [error, setError] = useState<FleetError | null>(null);
  const [loading, setLoading] = useState(false);
  const seq = useRef(0);

  const reload = useCallback(async () => {
    const mine = ++seq.current;
    setLoading(true);
    try {
      const list = await api.call('keys.list', {});
      if (mine !== seq.current) return;
      setKeys([...list].sort((a, b) => a.name.localeCompare(b.name)));
      setError(null);
    } catch (e) {
      if (mine === seq.current) setError(toFleetError(e));
    } finally {
      if (mine === seq.current) setLoading(false);
    }
  }, [api]);

  useEffect(() => {
    void reload();
  }, [reload]);

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
