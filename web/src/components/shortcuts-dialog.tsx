// The keyboard shortcuts, listed in a modal dialog (Escape closes it, and the browser gives the
// focus back to where it was when it opened).
import { keyLabel, SHORTCUTS } from '../lib/shortcuts';
import { ModalDialog } from './modal-dialog';

export function ShortcutsDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  return (
    <ModalDialog open={open} labelledBy="shortcuts-title" className="shortcuts-dialog" onClose={onClose}>
      <h2 id="shortcuts-title">Keyboard shortcuts</h2>
      <dl className="shortcut-list">
        {SHORTCUTS.map((s) => (
          <div key={s.action}>
            <dt>
              {s.keys.map((k, i) => (
                <span key={k}>
                  {i > 0 ? ' + ' : null}
                  <kbd>{keyLabel(k)}</kbd>
                </span>
              ))}
            </dt>
            <dd>{s.what}</dd>
          </div>
        ))}
      </dl>
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onClose} autoFocus>
          Close
        </button>
      </div>
    </ModalDialog>
  );
}
