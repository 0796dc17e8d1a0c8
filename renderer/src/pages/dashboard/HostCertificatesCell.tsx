import { useCallback } from 'react';
import { certificateCounts } from '../../../../shared/certificates.js';
import { useApi } from '../../../../ui-common/api/context.js';
import { useLoad } from '../../lib/use-load.js';

/**
 * A host's certificates on the dashboard, in a few words: failing and expiring counts (hosts.certificates),
 * asked once per shown row (the table renders only the rows in view).
 */
export function HostCertificatesCell({ hostId, connected }: { hostId: string; connected: boolean }) {
  const api = useApi();
  const fetchCertificates = useCallback(() => api.call('hosts.certificates', { id: hostId }), [api, hostId]);
  const { value, error } = useLoad(fetchCertificates, { auto: connected });
  if (error) return <span className="muted small" title={error.message}>?</span>;
  if (!value) return null;
  if (!value.proxy) return <span className="muted small" data-testid="host-certificates" data-state="no-proxy">no proxy</span>;
  const counts = certificateCounts(value);
  const bad = counts.failing > 0 || counts.expiring > 0;
  const title = `${counts.total} certificates; ${counts.failing} names failing to obtain one; ${counts.expiring} expiring within 14 days or expired`;
  return (
    <span className={bad ? 'danger-text small' : 'muted small'} title={title} data-testid="host-certificates" data-failing={counts.failing} data-expiring={counts.expiring}>
      {bad ? `${counts.failing} failing · ${counts.expiring} expiring` : `${counts.total} valid`}
    </span>
  );
}
