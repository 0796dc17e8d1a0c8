import { createContext, useContext, type ReactNode } from 'react';
import type { Api } from '../../../shared/api.js';
import type { Role } from '../../../shared/contract.js';
import type { CartStore } from '../lib/carts.js';
import type { PosData } from '../lib/catalog.js';
import type { ProductCache } from '../lib/products.js';
import type { TerminalState } from '../lib/terminal-status.js';

/** The cashier logged in at the terminal (the terminal keeps it and attributes every sale to it). */
export interface Cashier {
  name: string;
  userId: number;
  employeeId: number | null;
  manager: boolean;
}

/** What every screen past the set-up needs: the cached data, the cashier, the carts. */
export interface PosContextValue {
  api: Api;
  data: PosData;
  cashier: Cashier;
  carts: CartStore;
  products: ProductCache;
  terminal: TerminalState;
  /** This page's role: a cashier sells; printer, export and import are an admin's. */
  role: Role | null;
}

const PosContext = createContext<PosContextValue | null>(null);

export function PosProvider({ value, children }: { value: PosContextValue; children: ReactNode }) {
  return <PosContext.Provider value={value}>{children}</PosContext.Provider>;
}

export function usePos(): PosContextValue {
  const value = useContext(PosContext);
  if (!value) throw new Error('PosProvider missing');
  return value;
}
