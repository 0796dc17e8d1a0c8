import { createContext, useContext, type ReactNode } from 'react';
import type { OpOutput, Role } from '../../../shared/contract.js';
import { roleAtLeast } from './roles.js';

export type SessionInfo = OpOutput<'session.info'>;

const SessionContext = createContext<SessionInfo | null>(null);

export function SessionProvider({ session, children }: { session: SessionInfo; children: ReactNode }) {
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionInfo | null {
  return useContext(SessionContext);
}

/** Whether the current role may use a control (the server enforces it regardless). */
export function useCan(min: Role): boolean {
  return roleAtLeast(useContext(SessionContext)?.role, min);
}
