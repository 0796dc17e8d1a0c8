import { useSyncExternalStore } from 'react';

export type Route =
  | { page: 'overview' }
  | { page: 'host'; id: string }
  | { page: 'add' }
  | { page: 'import' }
  | { page: 'audit' };

export function parseHash(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  switch (parts[0]) {
    case 'host':
      return parts[1] ? { page: 'host', id: decodeURIComponent(parts[1]) } : { page: 'overview' };
    case 'add':
      return { page: 'add' };
    case 'import':
      return { page: 'import' };
    case 'audit':
      return { page: 'audit' };
    default:
      return { page: 'overview' };
  }
}

export const href = {
  overview: '#/',
  host: (id: string) => `#/host/${encodeURIComponent(id)}`,
  add: '#/add',
  import: '#/import',
  audit: '#/audit',
};

export function navigate(to: string): void {
  if (window.location.hash !== to) window.location.hash = to;
}

function subscribe(cb: () => void) {
  window.addEventListener('hashchange', cb);
  return () => window.removeEventListener('hashchange', cb);
}
const getHash = () => window.location.hash;

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, getHash, getHash);
  return parseHash(hash);
}
