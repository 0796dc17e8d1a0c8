import { useEffect, useState } from 'react';
import type { Combo, ComboLine } from '../../../shared/pos/combo-pricing.js';
import type { ProductAttribute } from '../../../shared/pos/product-config.js';
import { usePos } from '../app/context.js';
import { addStep, type ComboPick, type LineConfig } from '../lib/cart-options.js';
import type { Product } from '../lib/catalog.js';
import { errorText } from '../lib/errors.js';
import { money } from '../lib/format.js';
import { AlertLine, BackAndSubmit } from '../lib/FormLines.js';
import { Modal } from '../lib/Modal.js';
import { ProductConfigurator } from './ProductConfigurator.js';

/**
 * Odoo 17's combo chooser: one product per combo, each pick's own extra shown when it has one; a
 * pick with attributes to choose opens the configurator first (cancelled: not picked). Add only
 * once every combo has its pick.
 */
export function ComboChooser({ product, combos, onDone, onCancel }: { product: Product; combos: Combo[]; onDone: (picks: ComboPick[]) => void; onCancel: () => void }) {
  const { data, products } = usePos();
  const [known, setKnown] = useState<Map<number, Product> | null>(null);
  const [picked, setPicked] = useState<Record<number, { lineId: number; config?: LineConfig | undefined }>>({});
  const [configuring, setConfiguring] = useState<{ comboId: number; line: ComboLine; product: Product; attributes: ProductAttribute[] } | null>(null);
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

  const choose = (combo: Combo, line: ComboLine, pickProduct: Product) => {
    const step = addStep(pickProduct, data);
    if (step.kind === 'configure') return setConfiguring({ comboId: combo.id, line, product: pickProduct, attributes: step.attributes });
    if (step.kind === 'combo') return setError(`${pickProduct.name} is a combo itself.`);
    setPicked((p) => ({ ...p, [combo.id]: { lineId: line.id, config: step.config } }));
  };
  const complete = combos.every((c) => picked[c.id] !== undefined);
  const submit = () => {
    const picks = combos.map((c) => {
      const { lineId, config } = picked[c.id]!;
      const pick = c.lines.find((l) => l.id === lineId)!;
      return { pick, product: known!.get(pick.productId)!, config };
    });
    onDone(picks);
  };

  if (configuring) {
    return (
      <ProductConfigurator
        product={configuring.product}
        attributes={configuring.attributes}
        onCancel={() => setConfiguring(null)}
        onDone={(config) => {
          setPicked((p) => ({ ...p, [configuring.comboId]: { lineId: configuring.line.id, config } }));
          setConfiguring(null);
        }}
      />
    );
  }
  return (
    <Modal title={`Choose the ${product.name}`} onClose={onCancel}>
      <form onSubmit={(e) => { e.preventDefault(); if (complete) submit(); }} noValidate className="modal-form combo-chooser" data-testid="combo-chooser">
        {combos.map((combo) => (
          <fieldset key={combo.id} className="attribute" data-testid={`combo-${combo.id}`}>
            <legend>{combo.name}</legend>
            <div className="attribute-options">
              {combo.lines.map((line) => {
                const pickProduct = known?.get(line.productId);
                const active = picked[combo.id]?.lineId === line.id;
                return (
                  <button key={line.id} type="button" className={`chip${active ? ' active' : ''}`} aria-pressed={active} disabled={!pickProduct} onClick={() => pickProduct && choose(combo, line, pickProduct)} data-testid={`combo-line-${line.id}`}>
                    {pickProduct?.name ?? `Product ${line.productId}`}
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
