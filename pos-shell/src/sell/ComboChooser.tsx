import { useEffect, useState } from 'react';
import type { Combo, ComboLine } from '../../../shared/pos/combo-pricing.js';
import { productAttributes } from '../../../shared/pos/product-config.js';
import { usePos } from '../app/context.js';
import type { Product } from '../lib/catalog.js';
import { errorText } from '../lib/errors.js';
import { money } from '../lib/format.js';
import { AlertLine, BackAndSubmit } from '../lib/FormLines.js';
import { Modal } from '../lib/Modal.js';

export type ComboPicks = Array<{ pick: ComboLine; product: Product }>;

/**
 * Odoo 17's combo chooser: one product per combo, each pick's own extra shown when it has one; Add
 * only once every combo has its pick. A product with attributes to choose is not offered as a
 * pick (this terminal does not configure a combo's products yet).
 */
export function ComboChooser({ product, combos, onDone, onCancel }: { product: Product; combos: Combo[]; onDone: (picks: ComboPicks) => void; onCancel: () => void }) {
  const { data, products } = usePos();
  const [known, setKnown] = useState<Map<number, Product> | null>(null);
  const [picked, setPicked] = useState<Record<number, number>>({});
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    products.get([...new Set(combos.flatMap((c) => c.lines.map((l) => l.productId)))]).then(
      (found) => live && setKnown(new Map(found.map((p) => [p.id, p]))),
      (e: unknown) => live && setError(errorText(e)),
    );
    return () => {
      live = false;
    };
  }, [combos, products]);

  const sellable = (line: ComboLine) => {
    const pickProduct = known?.get(line.productId);
    return pickProduct && productAttributes(pickProduct.record, data.attributes).length === 0 ? pickProduct : null;
  };
  const complete = combos.every((c) => picked[c.id] !== undefined);
  const submit = () => {
    const picks = combos.map((c) => {
      const pick = c.lines.find((l) => l.id === picked[c.id])!;
      return { pick, product: sellable(pick)! };
    });
    onDone(picks);
  };

  return (
    <Modal title={`Choose the ${product.name}`} onClose={onCancel}>
      <form onSubmit={(e) => { e.preventDefault(); if (complete) submit(); }} noValidate className="modal-form combo-chooser" data-testid="combo-chooser">
        {combos.map((combo) => (
          <fieldset key={combo.id} className="attribute" data-testid={`combo-${combo.id}`}>
            <legend>{combo.name}</legend>
            <div className="attribute-options">
              {combo.lines.map((line) => {
                const pickProduct = sellable(line);
                return (
                  <button key={line.id} type="button" className={`chip${picked[combo.id] === line.id ? ' active' : ''}`} aria-pressed={picked[combo.id] === line.id} disabled={!pickProduct} title={pickProduct ? undefined : 'Not sold as part of a combo on this terminal'} onClick={() => setPicked((p) => ({ ...p, [combo.id]: line.id }))} data-testid={`combo-line-${line.id}`}>
                    {known?.get(line.productId)?.name ?? `Product ${line.productId}`}
                    {line.comboPrice ? ` (+ ${money(line.comboPrice, data.currency)})` : ''}
                  </button>
                );
              })}
            </div>
          </fieldset>
        ))}
        <AlertLine error={error} />
        <BackAndSubmit back="Cancel" onBack={onCancel} submit="Add" submitTestId="combo-submit" busy={!complete} />
      </form>
    </Modal>
  );
}
