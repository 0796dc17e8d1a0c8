import { useState, type FormEvent } from 'react';
import type { Product } from '../lib/catalog.js';
import { AlertLine, BackAndSubmit } from '../lib/FormLines.js';
import { Modal } from '../lib/Modal.js';

/**
 * A product tracked by lot or serial number (Odoo asks when the POS picking type uses lots):
 * one lot name, or one serial number per unit (one per line; the line's quantity follows).
 */
export function LotPrompt({ product, check, onDone, onCancel }: { product: Product; check: (lots: string[]) => string | null; onDone: (lots: string[]) => void; onCancel: () => void }) {
  const serial = product.tracking === 'serial';
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const lots = [...new Set(text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean))];
    if (lots.length === 0) return setError(serial ? 'Enter at least one serial number.' : 'Enter the lot number.');
    if (!serial && lots.length > 1) return setError('One lot number per line of the order.');
    const problem = check(lots);
    if (problem) return setError(problem);
    onDone(lots);
  };

  return (
    <Modal title={`${serial ? 'Serial numbers' : 'Lot number'} for ${product.name}`} onClose={onCancel}>
      <form onSubmit={submit} noValidate className="modal-form">
        <label className="field">
          <span className="field-label">{serial ? 'Serial numbers, one per line (one per unit)' : 'Lot number'}</span>
          {serial ? (
            <textarea rows={4} autoFocus value={text} onChange={(e) => setText(e.target.value)} data-testid="lot-input" />
          ) : (
            <input autoFocus value={text} onChange={(e) => setText(e.target.value)} data-testid="lot-input" />
          )}
        </label>
        <AlertLine error={error} />
        <BackAndSubmit back="Cancel" onBack={onCancel} submit="Add" submitTestId="lot-submit" />
      </form>
    </Modal>
  );
}
