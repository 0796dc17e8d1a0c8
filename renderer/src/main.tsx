import './styles.css';
import { createClient } from '../../ui-common/api/client.js';
import { askGate } from './lib/gate.js';
import { createHostList } from './lib/hosts-store.js';

const container = document.getElementById('root');
if (!container) throw new Error('#root missing from index.html');

// The first calls go out before the UI's code (React and the pages) has loaded, so their answers
// travel while it downloads and compiles: the vault's state, who we are, and the host list.
const client = createClient();
const gate = askGate(client.api);
// VaultGate reads the answer, or the failure, once it has mounted.
gate.catch(() => {});
const hosts = createHostList(client.api);

import('./app/start.js').then(
  ({ start }) => start({ client, gate, hosts }, container),
  () => {
    container.textContent = 'Fleet Console could not load its code. Reload the page.';
  },
);
