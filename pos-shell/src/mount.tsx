import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { Client } from '../../ui-common/api/client.js';
import { ClientProvider } from '../../ui-common/api/context.js';
import { App } from './app/App.js';
import { CartStore } from './lib/carts.js';
import { registerServiceWorker } from './lib/pwa.js';
import type { StartupReads } from './lib/startup.js';

/** Renders the app into #root, its calls going through the start's reads first (main.tsx). */
export function mount(client: Client, startup: StartupReads): void {
  const container = document.getElementById('root');
  if (!container) throw new Error('#root missing from index.html');

  // The dev server has no service worker build; production registers it for offline starts.
  if (import.meta.env.PROD) registerServiceWorker();

  createRoot(container).render(
    <StrictMode>
      <ClientProvider client={{ ...client, api: startup.api }}>
        <App carts={new CartStore()} startup={startup} />
      </ClientProvider>
    </StrictMode>,
  );
}
