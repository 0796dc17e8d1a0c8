// The shop's ESC/POS receipt printer (optional) is the terminal's setting (pos.setReceiptPrinter,
// admin only): the page asks which one is set and prints by order, never naming an address.
import { useEffect, useState } from 'react';
import type { Api } from '../../../shared/api.js';
import type { OpOutput } from '../../../shared/contract.js';

export type ReceiptPrinter = NonNullable<OpOutput<'pos.receiptPrinter'>>;

/** The terminal's printer: undefined while asking, null when none is set (or the question failed). */
export function useReceiptPrinter(api: Api): ReceiptPrinter | null | undefined {
  const [printer, setPrinter] = useState<ReceiptPrinter | null | undefined>(undefined);
  useEffect(() => {
    let current = true;
    api.call('pos.receiptPrinter', {}).then(
      (value) => current && setPrinter(value),
      () => current && setPrinter(null),
    );
    return () => {
      current = false;
    };
  }, [api]);
  return printer;
}
