import { useApi } from '../../../../ui-common/api/context.js';
import { Modal } from '../../components/Modal.js';
import { TypedConfirm } from '../../components/TypedConfirm.js';
import { useSubmit } from '../../lib/use-submit.js';

/** Forgets a backup key after its name is typed: archives it encrypts become unreadable here. */
export function RemoveKeyDialog({ name, onRemoved, onClose }: { name: string; onRemoved: () => void; onClose: () => void }) {
  const api = useApi();
  const submit = useSubmit({ holdOnSuccess: true });

  const remove = async () => {
    await api.call('keys.remove', { name });
    onRemoved();
  };

  return (
    <Modal
      title={`Remove key ${name}`}
      testId="key-remove-dialog"
      onClose={onClose}
      closable={!submit.busy}
      description={
        <p>
          This console forgets backup key <strong className="mono">{name}</strong>. Archives encrypted with it <strong>can no longer be read here</strong>{' '}
          (verified, restored or cloned) unless the key is imported again from its exported line.
        </p>
      }
    >
      <TypedConfirm expected={name} what="key’s name" testId="key-remove" submit={submit} onConfirm={remove} onCancel={onClose} label={`Remove ${name}`} busyLabel="Removing…" />
    </Modal>
  );
}
