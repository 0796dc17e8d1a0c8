import { useCallback, useRef, useState, type FormEvent } from 'react';
import { toFleetError, type FleetError } from './errors.js';

export interface Submit {
  /** A call is in flight (with `holdOnSuccess`, also once it has succeeded). */
  busy: boolean;
  /** Why the last call failed; cleared when the next one starts. */
  error: FleetError | null;
  /** Runs `action` unless one is still busy; a rejection becomes `error`. */
  run: (action: () => Promise<void>) => Promise<void>;
  /** A form's onSubmit: no page load, and `action` runs only when `ready`. */
  onSubmit: (ready: boolean, action: () => Promise<void>) => (e: FormEvent) => void;
}

/**
 * The busy/error plumbing of a dialog's or form's one call. `holdOnSuccess` is for dialogs that
 * success closes: their buttons stay disabled until they are gone.
 */
export function useSubmit({ holdOnSuccess = false }: { holdOnSuccess?: boolean } = {}): Submit {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FleetError | null>(null);
  // The state lags a render behind: the ref also stops a second submit in the same tick.
  const held = useRef(false);

  const run = useCallback(
    async (action: () => Promise<void>) => {
      if (held.current) return;
      held.current = true;
      setBusy(true);
      setError(null);
      try {
        await action();
        if (holdOnSuccess) return;
      } catch (err) {
        setError(toFleetError(err));
      }
      held.current = false;
      setBusy(false);
    },
    [holdOnSuccess],
  );

  const onSubmit = useCallback(
    (ready: boolean, action: () => Promise<void>) => (e: FormEvent) => {
      e.preventDefault();
      if (ready) void run(action);
    },
    [run],
  );

  return { busy, error, run, onSubmit };
}

export interface Action<K> {
  /** Which action is in flight, or null. */
  busy: K | null;
  /** Why the last action failed; cleared when the next one starts. */
  error: FleetError | null;
  /** Which action `error` belongs to. */
  failed: K | null;
  /** Runs `action` as `key`: busy while it runs, a rejection becomes `error`. */
  run: (key: K, action: () => Promise<void>) => Promise<void>;
  /** Forgets the last failure. */
  clear: () => void;
}

/** The busy/error plumbing of a section's buttons, each action named by a key (a verb, a row). */
export function useAction<K>(): Action<K> {
  const [busy, setBusy] = useState<K | null>(null);
  const [failure, setFailure] = useState<{ key: K; error: FleetError } | null>(null);

  const run = useCallback(async (key: K, action: () => Promise<void>) => {
    setBusy(() => key);
    setFailure(null);
    try {
      await action();
    } catch (err) {
      setFailure({ key, error: toFleetError(err) });
    } finally {
      setBusy(null);
    }
  }, []);

  const clear = useCallback(() => setFailure(null), []);

  return { busy, error: failure?.error ?? null, failed: failure?.key ?? null, run, clear };
}
