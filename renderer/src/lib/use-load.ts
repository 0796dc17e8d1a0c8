import { useCallback, useEffect, useRef, useState } from 'react';
import { toFleetError, type FleetError } from './errors.js';

export interface Loaded<T> {
  /** null until the first answer; kept when a later load fails. */
  value: T | null;
  /** Why the last load failed; cleared by the next answer. */
  error: FleetError | null;
  loading: boolean;
  /** Asks again; an answer overtaken by a newer load is dropped. */
  load: () => Promise<void>;
  /** Forgets the last failure (its cause is dealt with; the next load will tell). */
  clearError: () => void;
  /** Takes an answer got otherwise (what a write returned), dropping any load still in flight. */
  settle: (value: T) => void;
}

/**
 * One call's answer as a section shows it: asked on mount, whenever `fetch` (memoized on what it
 * asks) or `reloadOn` changes, and on `load()`; with `auto: false`, only on `load()`.
 * `loadingAtFirst` is for sections that show "Loading…" before the first ask has started.
 */
export function useLoad<T>(
  fetch: () => Promise<T>,
  { loadingAtFirst = false, reloadOn, auto = true }: { loadingAtFirst?: boolean; reloadOn?: unknown; auto?: boolean } = {},
): Loaded<T> {
  const [value, setValue] = useState<T | null>(null);
  const [error, setError] = useState<FleetError | null>(null);
  const [loading, setLoading] = useState(loadingAtFirst);
  const seq = useRef(0);

  const load = useCallback(async () => {
    const mine = ++seq.current;
    setLoading(true);
    try {
      const answer = await fetch();
      if (mine !== seq.current) return;
      setValue(() => answer);
      setError(null);
    } catch (e) {
      if (mine === seq.current) setError(toFleetError(e));
    } finally {
      if (mine === seq.current) setLoading(false);
    }
  }, [fetch]);

  const settle = useCallback((answer: T) => {
    seq.current++;
    setValue(() => answer);
  }, []);

  const clearError = useCallback(() => setError(null), []);

  useEffect(() => {
    if (auto) void load();
  }, [auto, load, reloadOn]);

  return { value, error, loading, load, clearError, settle };
}
