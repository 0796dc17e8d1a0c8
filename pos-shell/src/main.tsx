import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './styles.css';
import { createClient } from './api/client.js';
import { ClientProvider } from './api/context.js';
import { App } from './app/App.js';
import { CartStore } from './lib/carts.js';

const container = document.getElementById('root');
if (!container) throw new Error('#root missing from index.html');

createRoot(container).render(
  <StrictMode>
    <ClientProvider client={createClient()}>
      <App carts={new CartStore()} />
    </ClientProvider>
  </StrictMode>,
);
