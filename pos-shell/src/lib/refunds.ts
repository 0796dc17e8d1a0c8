import type { OpOutput } from '../../../shared/contract.js';

// Refunds are built from an order's detail (order-detail.ts): the lines and quantities the cashier
// chose, at their original price, discount and taxes, never more than is left of each.

export type FoundOrder = OpOutput<'pos.findOrders'>[number];
