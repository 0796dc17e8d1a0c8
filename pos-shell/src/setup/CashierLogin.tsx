import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { Api } from '../../../shared/api.js';
import type { LinkState } from '../../../ui-common/api/client.js';
import { useApi } from '../../../ui-common/api/context.js';
import type { Cashier } from '../app/context.js';
import type { Employee } from '../lib/catalog.js';
import { errorText, toFleetError } from '../lib/errors.js';
import { BackAndSubmit } from '../lib/FormLines.js';
import { useBarcodeScanner } from '../lib/scanner.js';
import { ErrorLine, FieldRow, Gate } from './Gate.js';

/**
 * The cashier logged in at the terminal (undefined while asking): the terminal keeps it, so every
 * page shows the same one and a sale is always theirs; it is asked again when the link comes back.
 */
export function useCashier(api: Api, link: LinkState) {
  const [current, setCurrent] = useState<Cashier | null | undefined>(undefined);
  useEffect(() => api.on('pos.cashier', (cashier) => setCurrent(cashier)), [api]);
  useEffect(() => {
    if (link !== 'connected') return;
    api.call('pos.cashier', {}).then(setCurrent, () => {});
  }, [api, link]);
  const login = useCallback((cashier: Cashier) => setCurrent(cashier), []);
  const logout = useCallback(() => {
    api.call('pos.cashierLogout', {}).then(
      () => setCurrent(null),
      () => setCurrent(null),
    );
  }, [api]);
  return { current, login, logout };
}

/** pos_hr: pick an employee and type the PIN (checked offline by the terminal); otherwise the paired user. */
export function CashierLogin({ employees, onLogin }: { employees: Employee[] | null; onLogin: (cashier: Cashier) => void }) {
  const api = useApi();
  const [chosen, setChosen] = useState<Employee | null>(null);
  const [pin, setPin] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [locked, setLocked] = useState<Employee | null>(null);

  const login = async (input: { employeeId?: number; pin?: string; badge?: string }) => {
    setBusy(true);
    setError(null);
    try {
      onLogin(await api.call('pos.cashierLogin', input));
    } catch (e) {
      // A badge of an employee with a PIN: ask for the PIN, as Odoo's POS does.
      const failure = toFleetError(e);
      const needsPin = failure.details?.['needsPin'] ? failure.details['employeeId'] : undefined;
      const employee = typeof needsPin === 'number' ? employees?.find((em) => em.id === needsPin) : undefined;
      if (employee) setChosen(employee);
      else setError(errorText(e));
      if (failure.code === 'LOCKED_OUT' && (chosen ?? employee)) setLocked(chosen ?? employee ?? null);
      setPin('');
    } finally {
      setBusy(false);
    }
  };
  // A badge scanned on the picker logs its employee in.
  useBarcodeScanner(Boolean(employees?.length) && !busy, (code) => void login({ badge: code }));

  if (!employees || employees.length === 0) {
    return (
      <Gate title="Start selling">
        <ErrorLine error={error} />
        <div className="actions">
          <button type="button" className="btn btn-primary btn-large" autoFocus disabled={busy} onClick={() => void login({})} data-testid="cashier-start">
            Start selling
          </button>
        </div>
      </Gate>
    );
  }

  const choose = (employee: Employee) => {
    setError(null);
    setPin('');
    if (employee.hasPin) setChosen(employee);
    else void login({ employeeId: employee.id });
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (chosen) void login({ employeeId: chosen.id, pin });
  };

  if (locked) return <ManagerUnlock locked={locked} managers={employees.filter((e) => e.manager)} onDone={() => (setLocked(null), setChosen(null), setError(null))} />;

  return (
    <Gate title={chosen ? `PIN for ${chosen.name}` : 'Who is selling?'} wide>
      {chosen ? (
        <form onSubmit={submit} noValidate>
          <FieldRow label="PIN">
            <input type="password" inputMode="numeric" autoComplete="off" autoFocus value={pin} onChange={(e) => setPin(e.target.value)} data-testid="cashier-pin" />
          </FieldRow>
          <ErrorLine error={error} />
          <BackAndSubmit back="Back" onBack={() => setChosen(null)} submit="Log in" submitTestId="cashier-login" busy={busy} />
        </form>
      ) : (
        <>
          <div className="cashier-grid">
            {employees.map((employee, i) => (
              <button key={employee.id} type="button" className="tile" autoFocus={i === 0} onClick={() => choose(employee)} data-testid={`cashier-${employee.id}`}>
                {employee.name}
              </button>
            ))}
          </div>
          <ErrorLine error={error} />
        </>
      )}
    </Gate>
  );
}

/** A cashier locked after too many wrong PINs: a POS manager lifts it here with their own PIN. */
function ManagerUnlock({ locked, managers, onDone }: { locked: Employee; managers: Employee[]; onDone: () => void }) {
  const api = useApi();
  const [manager, setManager] = useState<Employee | null>(managers.length === 1 ? managers[0]! : null);
  const [pin, setPin] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!manager) return;
    api.call('pos.unlockCashier', { employeeId: locked.id, manager: { employeeId: manager.id, pin } }).then(onDone, (e: unknown) => {
      setError(errorText(e));
      setPin('');
    });
  };
  return (
    <Gate title={`${locked.name} is locked`} wide>
      <p className="muted">Too many wrong PINs in a row. A POS manager unlocks {locked.name} with their own PIN.</p>
      {managers.length === 0 ? <p className="muted">This configuration has no POS manager with a PIN: the terminal's admin unlocks (odoo-fleet pos cashiers unlock).</p> : null}
      <div className="cashier-grid">
        {managers.map((m) => (
          <button key={m.id} type="button" className={`tile${manager?.id === m.id ? ' active' : ''}`} onClick={() => setManager(m)} data-testid={`manager-${m.id}`}>
            {m.name}
          </button>
        ))}
      </div>
      {manager ? (
        <form onSubmit={submit} noValidate>
          <FieldRow label={`PIN of ${manager.name}`}>
            <input type="password" inputMode="numeric" autoComplete="off" autoFocus value={pin} onChange={(e) => setPin(e.target.value)} data-testid="manager-pin" />
          </FieldRow>
          <ErrorLine error={error} />
          <BackAndSubmit back="Back" onBack={onDone} submit="Unlock" submitTestId="manager-unlock" />
        </form>
      ) : (
        <ErrorLine error={error} />
      )}
    </Gate>
  );
}
