import './styles.css';
import { createClient } from '../../ui-common/api/client.js';
import { StartupReads } from './lib/startup.js';

// The page starts in two steps. This small entry opens the link to the terminal and sends the
// start's reads; React and the screens (mount.tsx, a chunk of their own) are fetched and evaluated
// after it, in tasks of their own, so the link opens and the terminal answers meanwhile.

const client = createClient();
const startup = new StartupReads(client.api);
import('./mount.js').then(
  ({ mount }) => mount(client, startup),
  (error: unknown) => {
    document.getElementById('root')?.replaceChildren(`Fleet POS could not start: ${String(error)}`);
  },
);
