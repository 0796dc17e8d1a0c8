import { useState, type FormEvent } from 'react';
import type { AttributeValue, ProductAttribute } from '../../../shared/pos/product-config.js';
import { usePos } from '../app/context.js';
import { configure, type LineConfig } from '../lib/cart-options.js';
import type { Product } from '../lib/catalog.js';
import { money } from '../lib/format.js';
import { AlertLine, BackAndSubmit } from '../lib/FormLines.js';
import { Modal } from '../lib/Modal.js';
import { CUSTOM_VALUE_MAX_CHARS } from '../../../shared/pos/bounds.js';

/**
 * Odoo 17's product configurator: one value per attribute (radio, pills, select or colour
 * swatches; any number for a multi attribute), the first one chosen to start with, a text for a
 * custom value, and each value's price extra shown as Odoo shows it.
 */
export function ProductConfigurator({ product, attributes, onDone, onCancel }: { product: Product; attributes: ProductAttribute[]; onDone: (config: LineConfig) => void; onCancel: () => void }) {
  const [chosen, setChosen] = useState<Record<number, number[]>>(() => Object.fromEntries(attributes.map((a) => [a.id, a.display === 'multi' ? [] : [a.values[0]!.id]])));
  const [texts, setTexts] = useState<Record<number, string>>({});
  const [error, setError] = useState<string | null>(null);

  const choose = (attribute: ProductAttribute, valueId: number) =>
    setChosen((c) => ({ ...c, [attribute.id]: attribute.display === 'multi' ? (c[attribute.id]!.includes(valueId) ? c[attribute.id]!.filter((id) => id !== valueId) : [...c[attribute.id]!, valueId]) : [valueId] }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const valueIds = attributes.flatMap((a) => chosen[a.id] ?? []);
    const customValues = valueIds.flatMap((valueId) => (texts[valueId]?.trim() ? [{ valueId, text: texts[valueId]!.trim() }] : []));
    const config = configure(attributes, { valueIds, customValues });
    if ('problem' in config) return setError(`Cannot add it: ${config.problem}.`);
    onDone(config);
  };

  return (
    <Modal title={`Configure ${product.name}`} onClose={onCancel}>
      <form onSubmit={submit} noValidate className="modal-form configurator" data-testid="configurator">
        {attributes.map((attribute) => (
          <fieldset key={attribute.id} className="attribute" data-testid={`attribute-${attribute.id}`}>
            <legend>{attribute.name}</legend>
            <AttributeValues attribute={attribute} chosen={chosen[attribute.id] ?? []} onChoose={(valueId) => choose(attribute, valueId)} />
            {attribute.values
              .filter((v) => v.isCustom && chosen[attribute.id]?.includes(v.id))
              .map((v) => (
                <label key={v.id} className="field">
                  <span className="field-label">{v.name}: your text</span>
                  <input maxLength={CUSTOM_VALUE_MAX_CHARS} value={texts[v.id] ?? ''} onChange={(e) => setTexts((t) => ({ ...t, [v.id]: e.target.value }))} data-testid={`custom-value-${v.id}`} />
                </label>
              ))}
          </fieldset>
        ))}
        <AlertLine error={error} />
        <BackAndSubmit back="Cancel" onBack={onCancel} submit="Add" submitTestId="configurator-submit" />
      </form>
    </Modal>
  );
}

function AttributeValues({ attribute, chosen, onChoose }: { attribute: ProductAttribute; chosen: number[]; onChoose: (valueId: number) => void }) {
  const { data } = usePos();
  const extra = (value: AttributeValue) => (value.priceExtra ? ` (${value.priceExtra < 0 ? '−' : '+'} ${money(Math.abs(value.priceExtra), data.currency)})` : '');
  if (attribute.display === 'select') {
    return (
      <select value={chosen[0] ?? ''} onChange={(e) => onChoose(Number(e.target.value))} aria-label={attribute.name} data-testid={`attribute-select-${attribute.id}`}>
        {attribute.values.map((v) => (
          <option key={v.id} value={v.id}>
            {v.name}
            {extra(v)}
          </option>
        ))}
      </select>
    );
  }
  if (attribute.display === 'radio' || attribute.display === 'multi') {
    return (
      <div className="attribute-options">
        {attribute.values.map((v) => (
          <label key={v.id} className="attribute-option">
            <input type={attribute.display === 'multi' ? 'checkbox' : 'radio'} name={`attribute-${attribute.id}`} checked={chosen.includes(v.id)} onChange={() => onChoose(v.id)} data-testid={`value-${v.id}`} />
            {v.name}
            {extra(v)}
          </label>
        ))}
      </div>
    );
  }
  // Pills and colours: buttons, a colour's swatch from its html_color (a CSS colour only).
  return (
    <div className="attribute-options" role="group" aria-label={attribute.name}>
      {attribute.values.map((v) => (
        <button key={v.id} type="button" className={`chip${chosen.includes(v.id) ? ' active' : ''}`} aria-pressed={chosen.includes(v.id)} onClick={() => onChoose(v.id)} data-testid={`value-${v.id}`}>
          {attribute.display === 'color' && v.htmlColor && /^#[0-9a-f]{3,8}$/i.test(v.htmlColor) ? <span className="swatch" style={{ background: v.htmlColor }} aria-hidden="true" /> : null}
          {v.name}
          {extra(v)}
        </button>
      ))}
    </div>
  );
}
