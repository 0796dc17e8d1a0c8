import { useSyncExternalStore } from 'react';
import { Workbox } from 'workbox-window';

// The service worker (sw.ts) keeps the app shell for offline starts. A new version waits until
// the cashier accepts it: the page then tells it to take over and reloads once it controls the page.

export interface UpdateState {
  /** A new version is installed and waiting. */
  ready: boolean;
  apply(): void;
}

const UPDATE_CHECK_MS = 15 * 60_000;

class UpdateStore {
  private state: UpdateState = { ready: false, apply: () => {} };
  private readonly listeners = new Set<() => void>();

  get = (): UpdateState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  set(state: UpdateState): void {
    this.state = state;
    for (const listener of this.listeners) listener();
  }
}

const store = new UpdateStore();

export function registerServiceWorker(url = './sw.js'): void {
  if (!('serviceWorker' in navigator)) return;
  const wb = new Workbox(url, { scope: './' });
  let accepted = false;
  // Reload only for an update this page asked for, never because another tab took one.
  wb.addEventListener('controlling', () => {
    if (accepted) window.location.reload();
  });
  wb.addEventListener('waiting', () => {
    store.set({
      ready: true,
      apply: () => {
        accepted = true;
        wb.messageSkipWaiting();
      },
    });
  });
  wb.register().then(
    () => setInterval(() => void wb.update().catch(() => {}), UPDATE_CHECK_MS),
    () => {}, // no service worker (e.g. an untrusted origin): the app still runs online
  );
}

export function useUpdate(): UpdateState {
  return useSyncExternalStore(store.subscribe, store.get, store.get);
}
