// The chat header's Share button: a dialog that makes a read-only link to the conversation as it
// is now, shows it with a Copy button, and updates or deletes it (docs/decisions/022).
import { useRef, useState } from 'react';
import { ErrorNote } from '../../components/error-note';
import { Icon } from '../../components/icon';
import { ModalDialog } from '../../components/modal-dialog';
import { formatDateTime } from '../../lib/format';
import type { ShareLink } from '../../lib/types';
import { sharedPageUrl, useShareChange, useShareStatus } from './share-api';

export function ShareButton({ conversationId, disabled }: { conversationId: string; disabled?: boolean }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className="button ghost small" onClick={() => setOpen(true)} disabled={disabled} aria-haspopup="dialog">
        <Icon name="share" /> <span className="label-text">Share</span>
      </button>
      <ModalDialog open={open} labelledBy="share-dialog-title" className="share-dialog" onClose={() => setOpen(false)}>
        {open ? <ShareDialogBody conversationId={conversationId} onClose={() => setOpen(false)} /> : null}
      </ModalDialog>
    </>
  );
}

function ShareDialogBody({ conversationId, onClose }: { conversationId: string; onClose: () => void }) {
  const status = useShareStatus(conversationId, true);
  const change = useShareChange(conversationId);
  const link = status.data?.link;
  return (
    <>
      <div className="share-dialog-head">
        <h2 id="share-dialog-title">Share this conversation</h2>
        <button type="button" className="button ghost small icon" onClick={onClose} aria-label="Close">
          <Icon name="close" />
        </button>
      </div>
      {status.isPending ? (
        <p className="muted" role="status">
          Loading…
        </p>
      ) : status.isError ? (
        <ErrorNote error={status.error} />
      ) : link ? (
        <LinkBox link={link} />
      ) : (
        <p>Anyone with the link can read the conversation as it is now, without an account. Messages you send later are not shown until you update the link.</p>
      )}
      {change.isError ? <ErrorNote error={change.error} /> : null}
      <div className="dialog-actions share-actions">
        {link ? (
          <>
            <button type="button" className="button danger share-delete" onClick={() => change.mutate('delete')} disabled={change.isPending}>
              Delete link
            </button>
            <button type="button" className="button" onClick={() => change.mutate('share')} disabled={change.isPending}>
              Update link
            </button>
          </>
        ) : status.isSuccess ? (
          <button type="button" className="button primary" onClick={() => change.mutate('share')} disabled={change.isPending}>
            Create link
          </button>
        ) : null}
      </div>
    </>
  );
}

function LinkBox({ link }: { link: ShareLink }) {
  const url = sharedPageUrl(link.token);
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState(false);

  async function copy() {
    try {
      await navigator.clipboard.writeText(url);
    } catch {
      // No clipboard API (a page not served over HTTPS): copy the selected text instead.
      input.current?.select();
      document.execCommand('copy');
    }
    setCopied(true);
    window.setTimeout(() => setCopied(false), 1500);
  }

  return (
    <>
      <div className="share-link">
        <label htmlFor="share-link-url" className="visually-hidden">
          Link
        </label>
        <input id="share-link-url" ref={input} type="text" readOnly value={url} onFocus={(e) => e.currentTarget.select()} />
        <button type="button" className="button primary" onClick={() => void copy()}>
          <Icon name={copied ? 'check' : 'copy'} size={16} /> {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
      <p className="muted small" role="status">
        {link.up_to_date
          ? `Shows the conversation as of ${formatDateTime(link.updated_at)}. Anyone with the link can read it.`
          : `Shows the conversation as it was on ${formatDateTime(link.updated_at)}; newer messages are not shared until you update the link.`}
      </p>
    </>
  );
}
