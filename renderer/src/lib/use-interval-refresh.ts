import { useEffect, useRef } from 'react';

/**
 * Runs `tick` every `ms` while the document is visible and `active` is true, never overlapping
 * (the next run is scheduled when the previous one settles). Becoming visible again refreshes at
 * once if the last run is older than `ms`.
 */
export function useIntervalRefresh(tick: () => Promise<unknown>, ms: number, active: boolean): void {
  const tickRef = useRef(tick);
  useEffect(() => {
    tickRef.current = tick;
  });

  useEffect(() => {
    if (!active) return;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let running = false;
    let stopped = false;
    let lastRun = Date.now();

    const schedule = (delay: number) => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(run, delay);
    };
    const run = () => {
      timer = null;
      if (stopped || running) return;
      if (document.visibilityState !== 'visible') return; // resumed by visibilitychange
      running = true;
      lastRun = Date.now();
      tickRef.current().finally(() => {
        running = false;
        if (!stopped) schedule(ms);
      });
    };
    const onVisibility = () => {
      if (document.visibilityState !== 'visible' || running) return;
      schedule(Math.max(0, ms - (Date.now() - lastRun)));
    };
    schedule(ms);
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [ms, active]);
}
