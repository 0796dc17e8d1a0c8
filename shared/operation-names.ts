// Operation and event names alone, without their schemas: the Electron preload bundles this
// file, not the contract. contract.ts must declare exactly these (the compiler checks it).

export const OPERATION_NAMES = [
  'session.info',
  'vault.status',
  'vault.setup',
  'vault.unlock',
  'hosts.list',
  'hosts.get',
  'hosts.probe',
  'hosts.add',
  'hosts.update',
  'hosts.retrust',
  'hosts.remove',
  'hosts.check',
  'hosts.overview',
  'hosts.containers',
  'hosts.sshConfigCandidates',
  'hosts.dbServer',
  'audit.list',
] as const;
export type OperationName = (typeof OPERATION_NAMES)[number];

export const EVENT_NAMES = ['hosts.connection', 'hosts.changed'] as const;
export type EventName = (typeof EVENT_NAMES)[number];
