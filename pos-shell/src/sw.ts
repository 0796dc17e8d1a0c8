// Fleet POS service worker (built by vite.config.ts's pos-mode plugin into /sw.js, the precache
// list injected): the app shell comes from the cache, so the terminal starts with no network and
// while the terminal service is restarting; the API (a WebSocket) is never cached.

import { ExpirationPlugin } from 'workbox-expiration';
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute, type PrecacheEntry } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { CacheFirst } from 'workbox-strategies';

// The service worker global scope, typed locally: the project's TypeScript lib is the DOM's.
interface ExtendableEventLike extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface ServiceWorkerScope {
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  addEventListener(type: 'activate', listener: (event: ExtendableEventLike) => void): void;
}
const sw = self as unknown as ServiceWorkerScope;

/** The build's files (url + revision), written in by the build. */
declare const __FLEET_PRECACHE__: Array<PrecacheEntry | string>;

precacheAndRoute(__FLEET_PRECACHE__);
cleanupOutdatedCaches();

// Every page of the app is the shell (the UI routes inside it) — except the one-time launch URL,
// which must reach the server to trade its token for the session cookie.
registerRoute(new NavigationRoute(createHandlerBoundToURL('index.html'), { denylist: [/[?&]token=/, /^\/api(\/|$)/] }));

// Same-origin images (product and category pictures when the terminal serves them): from the
// cache first, a bounded number for a bounded time.
registerRoute(
  ({ request, sameOrigin }) => sameOrigin && request.destination === 'image',
  new CacheFirst({ cacheName: 'fleet-pos-images', plugins: [new ExpirationPlugin({ maxEntries: 2000, maxAgeSeconds: 30 * 24 * 3600, purgeOnQuotaError: true })] }),
);

// A new version waits until the page says the cashier accepted it (never mid-sale).
sw.addEventListener('message', (event) => {
  if ((event.data as { type?: unknown } | null)?.type === 'SKIP_WAITING') void sw.skipWaiting();
});

// The first version takes the open page at once, so it is controlled (and reloads offline).
sw.addEventListener('activate', (event) => event.waitUntil(sw.clients.claim()));
