// Settings: the default instructions each new conversation starts with (a copy: changing them
// later leaves existing conversations alone; each one's own are edited in the chat).
import { useState, type FormEvent } from 'react';
import { ErrorNote } from '../../components/error-note';
import { errorMessage } from '../../lib/problem';
import { usePreferences, useSavePreferences } from './instructions-api';
import { InstructionsField, tooLong } from './instructions-field';

export function InstructionsSection() {
  const preferences = usePreferences();
  return (
    <section className="card" aria-labelledby="instructions-title">
      <h2 id="instructions-title">Custom instructions</h2>
      {preferences.data ? (
        <InstructionsForm initial={preferences.data.default_system_prompt ?? ''} />
      ) : preferences.isError ? (
        <ErrorNote error={preferences.error} />
      ) : (
        <p className="muted" role="status">
          Loading…
        </p>
      )}
    </section>
  );
}

function InstructionsForm({ initial }: { initial: string }) {
  const save = useSavePreferences();
  const [text, setText] = useState(initial);
  const [saved, setSaved] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setSaved(false);
    try {
      const result = await save.mutateAsync({ default_system_prompt: text.trim() ? text : null });
      setText(result.default_system_prompt ?? '');
      setSaved(true);
    } catch {
      // Shown below from save.error.
    }
  }

  return (
    <form onSubmit={(e) => void submit(e)} noValidate className="stack instructions-form">
      <InstructionsField
        label="Default instructions for new conversations"
        hint="Sent to the model as the system prompt of every conversation you start from now on. Each conversation can change its own in the chat (Instructions)."
        value={text}
        onChange={(value) => {
          setText(value);
          setSaved(false);
        }}
        error={save.error ? errorMessage(save.error) : null}
      />
      {saved ? (
        <p className="notice success" role="status">
          {text ? 'Saved. New conversations start with these instructions.' : 'Saved. New conversations start with no instructions.'}
        </p>
      ) : null}
      <div>
        <button type="submit" className="button primary" disabled={save.isPending || tooLong(text)}>
          Save instructions
        </button>
      </div>
    </form>
  );
}
