import { useState } from 'react';
import { useApi } from '../../../../ui-common/api/context.js';
import { FollowedJob, SubmitActions } from '../../components/DialogActions.js';
import { ErrorBox } from '../../components/ErrorBox.js';
import { Field } from '../../components/Field.js';
import { Modal } from '../../components/Modal.js';
import { NameInput } from '../../components/NameInput.js';
import { useStartedJob } from '../../lib/use-job.js';
import { useSubmit } from '../../lib/use-submit.js';
import { PosSessionsNotice } from './PosNotices.js';

/** "sale, stock" → ['sale', 'stock']; "all" anywhere → ['all']; nothing → undefined. */
export function parseModules(text: string): string[] | undefined {
  const names = text
    .split(/[\s,]+/)
    .map((m) => m.trim().toLowerCase())
    .filter(Boolean);
  if (names.length === 0) return undefined;
  return names.includes('all') ? ['all'] : [...new Set(names)];
}

/**
 * Update safely: a new image tag and/or modules to update, tried on a staging clone first by
 * default; tenants.update backs up, updates, and reverts by itself if the update or its health
 * check fails. The job's steps show where it is.
 */
export function UpdateDialog({
  hostId,
  name,
  currentImage,
  onClose,
  onFinished,
}: {
  hostId: string;
  name: string;
  currentImage: string | undefined;
  onClose: () => void;
  /** The update made a backup and maybe a trial clone: the section reloads them. */
  onFinished: () => void;
}) {
  const api = useApi();
  const [tag, setTag] = useState('');
  const [modules, setModules] = useState('');
  const [trial, setTrial] = useState(true);
  const { busy, error, onSubmit } = useSubmit();
  const [jobId, setJobId] = useState<string | null>(null);
  const { running } = useStartedJob(jobId);
  const moduleList = parseModules(modules);
  const ready = tag.trim() !== '' || moduleList !== undefined;

  const submit = onSubmit(ready, async () => {
    const started = await api.call('tenants.update', { hostId, name, trial, ...(tag.trim() ? { tag: tag.trim() } : {}), ...(moduleList ? { modules: moduleList } : {}) });
    setJobId(started.jobId);
  });

  return (
    <Modal
      title={`Update ${name} safely`}
      testId="update-dialog"
      onClose={onClose}
      closable={!busy && !running}
      description={
        <>
          <p>
            Backs <strong className="mono">{name}</strong> up, {trial ? 'tries the update on a staging clone, ' : ''}then updates the tenant. If the update
            or the health check after it fails, the tenant is put back by itself: the backup restored and the previous image started.
          </p>
          {currentImage ? (
            <p className="small muted">
              Now running <span className="mono">{currentImage}</span>.
            </p>
          ) : null}
          <PosSessionsNotice hostId={hostId} name={name} action="update" />
        </>
      }
    >
      {jobId ? (
        <FollowedJob jobId={jobId} title="Update safely" onFinished={onFinished} running={running} onClose={onClose} testIdPrefix="update" />
      ) : (
        <form onSubmit={submit} noValidate>
          <Field label="New image tag" hint="Same image repository; leave empty to keep the tag.">
            <NameInput value={tag} onValue={setTag} testId="update-tag" />
          </Field>
          <Field label="Modules to update" hint="Comma separated (e.g. sale, stock), or “all”; leave empty to update none.">
            <NameInput value={modules} onValue={setModules} testId="update-modules" />
          </Field>
          <label className="inline-check">
            <input type="checkbox" checked={trial} onChange={(e) => setTrial(e.target.checked)} data-testid="update-trial" />
            try on a staging clone first (uncheck only when the host has no room for one)
          </label>
          {!ready ? <p className="small muted">Name a new image tag, modules to update, or both.</p> : null}
          {error ? <ErrorBox error={error} compact testId="update-error" /> : null}
          <SubmitActions label="Update" busy={busy} ready={ready} onCancel={onClose} testIdPrefix="update" />
        </form>
      )}
    </Modal>
  );
}
