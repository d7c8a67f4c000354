// The chat header's Instructions button: a dialog to read and change this conversation's system
// prompt. A chat not started yet shows the default from Settings, and saving creates the
// conversation with the text (the chat then carries on in it).
import { useState } from 'react';
import { ErrorNote } from '../../components/error-note';
import { ModalDialog } from '../../components/modal-dialog';
import { useApi } from '../../lib/app-context';
import { errorMessage } from '../../lib/problem';
import { Link } from '../../lib/router';
import type { Conversation, Preferences } from '../../lib/types';
import { useSaveConversationInstructions } from './instructions-api';
import { InstructionsField, tooLong } from './instructions-field';

interface InstructionsButtonProps {
  conversationId: string | null;
  model: string;
  disabled?: boolean;
  /** A conversation was created to hold the instructions. */
  onCreated: (id: string) => void;
}

export function InstructionsButton({ conversationId, model, disabled, onCreated }: InstructionsButtonProps) {
  const api = useApi();
  const save = useSaveConversationInstructions();
  const [open, setOpen] = useState(false);
  const [text, setText] = useState<string | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);

  // Read fresh on each opening: another tab may have changed them.
  async function show() {
    setOpen(true);
    setText(null);
    setLoadError(null);
    save.reset();
    try {
      const current = conversationId
        ? (await api<Conversation>(`/api/conversations/${encodeURIComponent(conversationId)}`)).system_prompt
        : (await api<Preferences>('/api/preferences')).default_system_prompt;
      setText(current ?? '');
    } catch (err) {
      setLoadError(err);
    }
  }

  async function submit() {
    if (text === null) return;
    try {
      const saved = await save.mutateAsync({ id: conversationId, model, systemPrompt: text.trim() ? text : null });
      setOpen(false);
      if (!conversationId) onCreated(saved.id);
    } catch {
      // Shown in the dialog from save.error.
    }
  }

  return (
    <>
      <button type="button" className="button ghost small" onClick={() => void show()} disabled={disabled}>
        Instructions
      </button>
      <ModalDialog open={open} labelledBy="instructions-dialog-title" className="instructions-dialog" onClose={() => setOpen(false)}>
        <h2 id="instructions-dialog-title">Instructions for this conversation</h2>
        {open && text !== null ? (
          <InstructionsField
            label="System prompt"
            hint={
              conversationId
                ? 'Sent to the model with every message of this conversation. Empty for none.'
                : 'Starts from your default instructions; saving starts this conversation with them.'
            }
            value={text}
            onChange={setText}
            error={save.error ? errorMessage(save.error) : null}
            rows={8}
          />
        ) : loadError ? (
          <ErrorNote error={loadError} />
        ) : (
          <p className="muted" role="status">
            Loading…
          </p>
        )}
        <p className="muted small">
          Your default for new conversations is in <Link to="/settings">Settings</Link>.
        </p>
        <div className="dialog-actions">
          <button type="button" className="button" onClick={() => setOpen(false)}>
            Cancel
          </button>
          <button type="button" className="button primary" onClick={() => void submit()} disabled={text === null || tooLong(text) || save.isPending}>
            Save
          </button>
        </div>
      </ModalDialog>
    </>
  );
}
