import { createContext, useContext, useSyncExternalStore, type ReactNode } from 'react';
import type { Api } from '../../shared/api.js';
import type { Client, LinkState } from './client.js';

const ClientContext = createContext<Client | null>(null);

export function ClientProvider({ client, children }: { client: Client; children: ReactNode }) {
  return <ClientContext.Provider value={client}>{children}</ClientContext.Provider>;
}

export function useClient(): Client {
  const client = useContext(ClientContext);
  if (!client) throw new Error('ClientProvider missing');
  return client;
}

export function useApi(): Api {
  return useClient().api;
}

/** The link to the service the page talks to (the console's, or the terminal's): it reconnects by itself. */
export function useLinkState(): LinkState {
  const { link } = useClient();
  return useSyncExternalStore(link.subscribe, link.get, link.get);
}
