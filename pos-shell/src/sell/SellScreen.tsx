import { useCallback, useEffect, useRef, useState } from 'react';
import { usePos } from '../app/context.js';
import { lookupCodes, parseBarcode } from '../lib/barcode.js';
import { addCombo, addProblem, addProduct, lotsProblem, refusedProduct, removeLine, setCustomer, setDiscount, type AddOptions, type Cart } from '../lib/cart.js';
import { addStep, type AddStep } from '../lib/cart-options.js';
import { useCarts } from '../lib/carts.js';
import { readCustomer, type Product } from '../lib/catalog.js';
import { errorText } from '../lib/errors.js';
import { useBarcodeScanner } from '../lib/scanner.js';
import { CartPanel } from './CartPanel.js';
import { ComboChooser } from './ComboChooser.js';
import { LotPrompt } from './LotPrompt.js';
import { ProductConfigurator } from './ProductConfigurator.js';
import { ProductPanel } from './ProductPanel.js';

export interface Notice {
  text: string;
  kind: 'info' | 'error';
}

/** Products on the right, the cart on the left; scanner, search and shortcuts all add to the active cart. */
export function SellScreen({ onPay }: { onPay: () => void }) {
  const { api, data, carts, products } = usePos();
  const { carts: all, activeId } = useCarts(carts);
  const cart = all.find((c) => c.id === activeId) ?? all[0]!;
  const [notice, setNotice] = useState<Notice | null>(null);
  const [askLots, setAskLots] = useState<{ product: Product; options: AddOptions } | null>(null);
  // The configurator or the combo chooser, open for a product being added.
  const [askOptions, setAskOptions] = useState<{ product: Product; options: AddOptions; step: Exclude<AddStep, { kind: 'plain' }> } | null>(null);
  const searchRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(() => setNotice(null), 5000);
    return () => clearTimeout(timer);
  }, [notice]);

  const change = useCallback((update: (cart: Cart) => Cart) => carts.update(carts.active().id, update), [carts]);

  const add = useCallback(
    (product: Product, given: AddOptions = {}) => {
      let options = given;
      if (!options.config) {
        // As Odoo's getAddProductOptions: the configurator or the combo chooser first, then lots.
        const step: AddStep = refusedProduct(product, data) ? { kind: 'plain' } : addStep(product, data);
        if (step.kind !== 'plain') return setAskOptions({ product, options, step });
        if (step.config) options = { ...options, config: step.config };
      }
      const refused = refusedProduct(product, data) ?? addProblem(carts.active(), product, options);
      if (refused) return setNotice({ text: refused, kind: 'error' });
      if (product.tracking !== 'none' && data.lotsRequired && !options.packLots) return setAskLots({ product, options });
      try {
        change((c) => addProduct(c, product, data, options));
      } catch (e) {
        setNotice({ text: `${product.name} cannot be sold offline: ${errorText(e)}`, kind: 'error' });
      }
    },
    [carts, change, data],
  );

  const addPicks = useCallback(
    (product: Product, picks: Parameters<typeof addCombo>[2]) => {
      try {
        change((c) => addCombo(c, product, picks));
      } catch (e) {
        setNotice({ text: errorText(e), kind: 'error' });
      }
    },
    [change],
  );

  /** A scanned (or typed) barcode, read with the nomenclature: product, weight, price, discount or customer. */
  const scan = useCallback(
    async (code: string) => {
      const parsed = parseBarcode(code, data.nomenclature);
      try {
        if (parsed.type === 'client') {
          const found = (await api.call('pos.partners', { query: parsed.code, limit: 20 })).map(readCustomer).find((c) => c.barcode === parsed.code);
          if (!found) return setNotice({ text: `No customer with the card ${code}.`, kind: 'error' });
          change((c) => setCustomer(c, found));
          return setNotice({ text: `Customer: ${found.name}`, kind: 'info' });
        }
        if (parsed.type === 'discount') {
          const target = cart.selectedLine ?? cart.lines[cart.lines.length - 1]?.uuid;
          if (!target) return setNotice({ text: 'Scan a product before a discount.', kind: 'error' });
          return change((c) => setDiscount(c, target, parsed.value));
        }
        if (parsed.type === 'cashier') return setNotice({ text: 'Cashier badges are read at the login screen: use Lock, then scan the badge.', kind: 'error' });
        const product = parsed.type === 'error' ? null : await products.byBarcode(lookupCodes(parsed));
        if (!product) return setNotice({ text: `Unknown barcode ${code}.`, kind: 'error' });
        if (parsed.type === 'weight' || parsed.type === 'quantity') add(product, { qty: parsed.value, merge: false });
        else if (parsed.type === 'price') add(product, { price: parsed.value, merge: false });
        else add(product);
      } catch (e) {
        setNotice({ text: errorText(e), kind: 'error' });
      }
    },
    [api, add, cart, change, data.nomenclature, products],
  );

  useBarcodeScanner(!askLots && !askOptions, (code) => void scan(code));

  // Shortcuts with keys no scanner sends: F2 search, F9 pay, arrows and Delete on the cart lines.
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      const inField = event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement || event.target instanceof HTMLSelectElement;
      if (event.key === 'F2' || (event.key === 'k' && (event.ctrlKey || event.metaKey))) {
        event.preventDefault();
        searchRef.current?.focus();
      } else if (event.key === 'F9') {
        event.preventDefault();
        if (carts.active().lines.length) onPay();
      } else if (!inField && (event.key === 'ArrowUp' || event.key === 'ArrowDown')) {
        const current = carts.active();
        if (!current.lines.length) return;
        event.preventDefault();
        const index = current.lines.findIndex((l) => l.uuid === current.selectedLine);
        const next = event.key === 'ArrowUp' ? Math.max(0, index - 1) : Math.min(current.lines.length - 1, index + 1);
        change((c) => ({ ...c, selectedLine: c.lines[next]?.uuid ?? null }));
      } else if (!inField && event.key === 'Delete') {
        const selected = carts.active().selectedLine;
        if (selected) change((c) => removeLine(c, selected));
      }
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [carts, change, onPay]);

  return (
    <div className="sell">
      <CartPanel cart={cart} onPay={onPay} />
      <ProductPanel cart={cart} searchRef={searchRef} onAdd={add} onScan={scan} notice={notice} onNotice={setNotice} />
      {askOptions?.step.kind === 'configure' ? (
        <ProductConfigurator
          product={askOptions.product}
          attributes={askOptions.step.attributes}
          onCancel={() => setAskOptions(null)}
          onDone={(config) => {
            setAskOptions(null);
            add(askOptions.product, { ...askOptions.options, config });
          }}
        />
      ) : null}
      {askOptions?.step.kind === 'combo' ? (
        <ComboChooser
          product={askOptions.product}
          combos={askOptions.step.combos}
          onCancel={() => setAskOptions(null)}
          onDone={(picks) => {
            setAskOptions(null);
            addPicks(askOptions.product, picks);
          }}
        />
      ) : null}
      {askLots ? (
        <LotPrompt
          product={askLots.product}
          check={(lots) => lotsProblem(carts.active(), lots)}
          onCancel={() => setAskLots(null)}
          onDone={(packLots) => {
            const { product, options } = askLots;
            setAskLots(null);
            add(product, { ...options, packLots, ...(product.tracking === 'serial' ? { qty: packLots.length } : {}) });
          }}
        />
      ) : null}
    </div>
  );
}
