import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { Client } from '../../../ui-common/api/client.js';
import { ClientProvider } from '../../../ui-common/api/context.js';
import type { GateAnswers } from '../lib/gate.js';
import type { HostList } from '../lib/hosts-store.js';
import { Root } from './Root.js';

/** What main.tsx has under way when the UI's code arrives. */
export interface Started {
  client: Client;
  gate: Promise<GateAnswers>;
  hosts: HostList;
}

export function start({ client, gate, hosts }: Started, container: HTMLElement): void {
  createRoot(container).render(
    <StrictMode>
      <ClientProvider client={client}>
        <Root gate={gate} hosts={hosts} />
      </ClientProvider>
    </StrictMode>,
  );
}
