import { useEffect, useState } from 'react';
import { usePos } from '../app/context.js';
import { readCustomer, type Customer } from '../lib/catalog.js';
import { errorText } from '../lib/errors.js';
import { Modal } from '../lib/Modal.js';

/** Find a cached customer by name, email, phone or VAT, or sell without one. */
export function CustomerPicker({ current, onPick, onClose }: { current: Customer | null; onPick: (customer: Customer | null) => void; onClose: () => void }) {
  const { api } = usePos();
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<Customer[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      api.call('pos.partners', { query: query.trim(), limit: 30 }).then(
        (rows) => live && setFound(rows.map(readCustomer)),
        (e: unknown) => live && setError(errorText(e)),
      );
    }, 150);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [api, query]);

  return (
    <Modal title="Customer" onClose={onClose}>
      <input type="search" autoFocus className="search" placeholder="Name, email, phone, VAT" aria-label="Search customers" value={query} onChange={(e) => setQuery(e.target.value)} data-testid="customer-search" />
      {error ? <p className="error-line">{error}</p> : null}
      <ul className="pick-list" data-testid="customer-list">
        {found.map((c) => (
          <li key={c.id}>
            <button type="button" className={`pick${current?.id === c.id ? ' selected' : ''}`} onClick={() => onPick(c)} data-testid={`customer-${c.id}`}>
              <strong>{c.name}</strong>
              <span className="muted">{c.detail}</span>
            </button>
          </li>
        ))}
      </ul>
      <div className="actions">
        {current ? (
          <button type="button" className="btn" onClick={() => onPick(null)} data-testid="customer-none">
            No customer
          </button>
        ) : null}
        <button type="button" className="btn" onClick={onClose}>
          Close
        </button>
      </div>
    </Modal>
  );
}
