import { useCallback, useState, type FormEvent } from 'react';
import { useApi } from '../api/context.js';
import type { Cashier } from '../app/context.js';
import type { Employee } from '../lib/catalog.js';
import { errorText, toFleetError } from '../lib/errors.js';
import { useBarcodeScanner } from '../lib/scanner.js';
import { ErrorLine, FieldRow, Gate } from './Gate.js';

const KEY = 'fleet-pos.cashier.v1';

/** The cashier of this browser tab, kept across reloads for the same session only. */
export function useCashier(sessionId: number) {
  const [current, setCurrent] = useState<Cashier | null>(() => {
    try {
      const saved = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as { sessionId: number; cashier: Cashier } | null;
      return saved?.sessionId === sessionId ? saved.cashier : null;
    } catch {
      return null;
    }
  });
  const login = useCallback(
    (cashier: Cashier) => {
      sessionStorage.setItem(KEY, JSON.stringify({ sessionId, cashier }));
      setCurrent(cashier);
    },
    [sessionId],
  );
  const logout = useCallback(() => {
    sessionStorage.removeItem(KEY);
    setCurrent(null);
  }, []);
  return { current, login, logout };
}

/** pos_hr: pick an employee and type the PIN (checked offline by the terminal); otherwise the paired user. */
export function CashierLogin({ employees, onLogin }: { employees: Employee[] | null; onLogin: (cashier: Cashier) => void }) {
  const api = useApi();
  const [chosen, setChosen] = useState<Employee | null>(null);
  const [pin, setPin] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const login = async (input: { employeeId?: number; pin?: string; badge?: string }) => {
    setBusy(true);
    setError(null);
    try {
      onLogin(await api.call('pos.cashierLogin', input));
    } catch (e) {
      // A badge of an employee with a PIN: ask for the PIN, as Odoo's POS does.
      const needsPin = toFleetError(e).details?.['employeeId'];
      const employee = typeof needsPin === 'number' ? employees?.find((em) => em.id === needsPin) : undefined;
      if (employee) setChosen(employee);
      else setError(errorText(e));
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

  return (
    <Gate title={chosen ? `PIN for ${chosen.name}` : 'Who is selling?'} wide>
      {chosen ? (
        <form onSubmit={submit} noValidate>
          <FieldRow label="PIN">
            <input type="password" inputMode="numeric" autoComplete="off" autoFocus value={pin} onChange={(e) => setPin(e.target.value)} data-testid="cashier-pin" />
          </FieldRow>
          <ErrorLine error={error} />
          <div className="actions">
            <button type="button" className="btn" onClick={() => setChosen(null)}>
              Back
            </button>
            <button type="submit" className="btn btn-primary" disabled={busy} data-testid="cashier-login">
              Log in
            </button>
          </div>
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
