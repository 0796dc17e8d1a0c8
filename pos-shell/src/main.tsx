import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './styles.css';
import { createClient } from '../../ui-common/api/client.js';
import { ClientProvider } from '../../ui-common/api/context.js';
import { App } from './app/App.js';
import { CartStore } from './lib/carts.js';
import { registerServiceWorker } from './lib/pwa.js';

const container = document.getElementById('root');
if (!container) throw new Error('#root missing from index.html');

// The dev server has no service worker build; production registers it for offline starts.
if (import.meta.env.PROD) registerServiceWorker();

createRoot(container).render(
  <StrictMode>
    <ClientProvider client={createClient()}>
      <App carts={new CartStore()} />
    </ClientProvider>
  </StrictMode>,
);
