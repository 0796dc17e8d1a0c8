import { useEffect, useState, type FormEvent } from 'react';
import { SearchInput } from '../../../ui-common/SearchInput.js';
import { usePos } from '../app/context.js';
import { readCustomer, type Customer } from '../lib/catalog.js';
import { errorText } from '../lib/errors.js';
import { AlertLine, BackAndSubmit } from '../lib/FormLines.js';
import { Modal } from '../lib/Modal.js';

/** Find a cached customer by name, email, phone or VAT, create one (offline too), or sell without one. */
export function CustomerPicker({ current, onPick, onClose }: { current: Customer | null; onPick: (customer: Customer | null) => void; onClose: () => void }) {
  const { api } = usePos();
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<Customer[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);

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

  if (creating) return <NewCustomerForm initialName={query} onCreated={onPick} onCancel={() => setCreating(false)} />;

  return (
    <Modal title="Customer" onClose={onClose}>
      <SearchInput autoFocus placeholder="Name, email, phone, VAT" label="Search customers" value={query} onValue={setQuery} testId="customer-search" />
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
        <button type="button" className="btn" onClick={() => setCreating(true)} data-testid="customer-new">
          New customer…
        </button>
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

/** A customer made on the terminal: usable at once, created in Odoo by the next sync before the orders naming them. */
function NewCustomerForm({ initialName, onCreated, onCancel }: { initialName: string; onCreated: (customer: Customer) => void; onCancel: () => void }) {
  const { api } = usePos();
  const [fields, setFields] = useState({ name: initialName, email: '', phone: '', street: '', zip: '', city: '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const set = (key: keyof typeof fields) => (value: string) => setFields((f) => ({ ...f, [key]: value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!fields.name.trim()) return setError('A customer needs a name.');
    setBusy(true);
    setError(null);
    try {
      const input = Object.fromEntries(Object.entries(fields).filter(([, v]) => v.trim() !== '').map(([k, v]) => [k, v.trim()])) as { name: string };
      const made = await api.call('pos.createPartner', input);
      onCreated({ id: made.id, name: made.name, detail: [fields.email, fields.phone, fields.city].filter(Boolean).join(' · '), barcode: null, fiscalPositionId: null, pricelistId: null });
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const input = (key: keyof typeof fields, label: string, type = 'text') => (
    <label className="field">
      <span className="field-label">{label}</span>
      <input type={type} value={fields[key]} onChange={(e) => set(key)(e.target.value)} autoFocus={key === 'name'} data-testid={`new-customer-${key}`} />
    </label>
  );

  return (
    <Modal title="New customer" onClose={onCancel}>
      <form onSubmit={submit} noValidate className="modal-form">
        {input('name', 'Name')}
        {input('email', 'Email', 'email')}
        {input('phone', 'Phone', 'tel')}
        {input('street', 'Street')}
        <div className="two-fields">
          {input('zip', 'ZIP')}
          {input('city', 'City')}
        </div>
        <AlertLine error={error} />
        <BackAndSubmit back="Back" onBack={onCancel} submit="Create" submitTestId="new-customer-save" busy={busy} />
      </form>
    </Modal>
  );
}
