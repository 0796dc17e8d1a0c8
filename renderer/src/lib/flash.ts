import { useSyncExternalStore } from 'react';

/** A notice that outlives the page that raised it (e.g. a decommission's archive, shown on the host page). */
export interface Flash {
  id: string;
  hostId: string;
  tone: 'ok' | 'warn';
  title: string;
  lines: readonly { label: string; value: string; testId?: string }[];
  jobId?: string;
}

let flashes: readonly Flash[] = [];
const listeners = new Set<() => void>();
const emit = () => {
  for (const l of listeners) l();
};

export function pushFlash(flash: Flash): void {
  flashes = [...flashes.filter((f) => f.id !== flash.id), flash];
  emit();
}

export function dismissFlash(id: string): void {
  flashes = flashes.filter((f) => f.id !== id);
  emit();
}

const subscribe = (cb: () => void) => {
  listeners.add(cb);
  return () => {
    listeners.delete(cb);
  };
};
const get = () => flashes;

export function useFlashes(hostId: string): readonly Flash[] {
  const all = useSyncExternalStore(subscribe, get, get);
  return all.filter((f) => f.hostId === hostId);
}
