import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './styles.css';
import { createClient } from '../../ui-common/api/client.js';
import { ClientProvider } from '../../ui-common/api/context.js';
import { Root } from './app/Root.js';

const container = document.getElementById('root');
if (!container) throw new Error('#root missing from index.html');

createRoot(container).render(
  <StrictMode>
    <ClientProvider client={createClient()}>
      <Root />
    </ClientProvider>
  </StrictMode>,
);
