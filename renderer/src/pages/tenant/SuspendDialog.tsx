import { Modal } from '../../components/Modal.js';

/** Suspending a running tenant stops it for its users: asked first, on the host page and the tenant page alike. */
export function SuspendDialog({ name, onConfirm, onClose }: { name: string; onConfirm: () => void; onClose: () => void }) {
  return (
    <Modal
      title={`Suspend ${name}?`}
      testId="suspend-dialog"
      onClose={onClose}
      description={<p>{name} is running and serving its users. Suspending stops its Odoo server, puts up the maintenance page and blocks its database logins until it is reactivated.</p>}
    >
      <div className="actions">
        <button
          type="button"
          className="btn btn-danger"
          data-testid="suspend-confirm"
          onClick={() => {
            onClose();
            onConfirm();
          }}
        >
          Stop and suspend it
        </button>
        <button type="button" className="btn" onClick={onClose} data-testid="suspend-cancel">
          Cancel
        </button>
      </div>
    </Modal>
  );
}
