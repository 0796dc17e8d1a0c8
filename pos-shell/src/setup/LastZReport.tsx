import { useEffect, useState } from 'react';
import { useApi } from '../../../ui-common/api/context.js';
import { ZReport, ZReportPrint, type ZReportData } from './ZReport.js';

/** The last closed session's Z report, kept by the terminal: shown and printed again from the opening screen. */
export function LastZReport() {
  const api = useApi();
  const [report, setReport] = useState<ZReportData | null>(null);
  const [open, setOpen] = useState(false);
  useEffect(() => {
    let live = true;
    api.call('pos.zReport', {}).then(
      (answer) => live && setReport(answer),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [api]);
  if (!report) return null;
  return (
    <details className="last-z-report" open={open} onToggle={(e) => setOpen(e.currentTarget.open)} data-testid="last-z-report">
      <summary>Last Z report: {report.sessionName}</summary>
      {open ? (
        <>
          <ZReport report={report} />
          <div className="actions actions-left">
            <ZReportPrint />
          </div>
        </>
      ) : null}
    </details>
  );
}
