import { useSyncExternalStore } from 'react';

export type Route =
  | { page: 'dashboard' }
  | { page: 'overview' }
  | { page: 'host'; id: string }
  | { page: 'add' }
  | { page: 'import' }
  | { page: 'audit' }
  | { page: 'keys' }
  | { page: 'createTenant'; hostId: string; jobId: string | null }
  | { page: 'tenant'; hostId: string; name: string }
  | { page: 'jobs' }
  | { page: 'job'; id: string };

export function parseHash(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  switch (parts[0]) {
    case 'host':
    case 'hosts':
      if (!parts[1]) return { page: 'dashboard' };
      if ((parts[2] === 'tenants' || parts[2] === 'tenant') && parts[3]) return { page: 'tenant', hostId: decodeURIComponent(parts[1]), name: decodeURIComponent(parts[3]) };
      if (parts[2] === 'create-tenant') return { page: 'createTenant', hostId: decodeURIComponent(parts[1]), jobId: parts[3] ? decodeURIComponent(parts[3]) : null };
      return { page: 'host', id: decodeURIComponent(parts[1]) };
    case 'jobs':
      return parts[1] ? { page: 'job', id: decodeURIComponent(parts[1]) } : { page: 'jobs' };
    case 'add':
      return { page: 'add' };
    case 'import':
      return { page: 'import' };
    case 'audit':
      return { page: 'audit' };
    case 'keys':
      return { page: 'keys' };
    case 'overview':
      return { page: 'overview' };
    default:
      return { page: 'dashboard' };
  }
}

export const href = {
  /** The landing page: the fleet dashboard. */
  dashboard: '#/',
  overview: '#/overview',
  host: (id: string) => `#/host/${encodeURIComponent(id)}`,
  add: '#/add',
  import: '#/import',
  audit: '#/audit',
  keys: '#/keys',
  createTenant: (hostId: string, jobId?: string) => `#/host/${encodeURIComponent(hostId)}/create-tenant${jobId ? `/${encodeURIComponent(jobId)}` : ''}`,
  tenant: (hostId: string, name: string) => `#/host/${encodeURIComponent(hostId)}/tenants/${encodeURIComponent(name)}`,
  jobs: '#/jobs',
  job: (id: string) => `#/jobs/${encodeURIComponent(id)}`,
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
