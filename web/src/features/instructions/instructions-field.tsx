// The instructions text box of Settings and of the chat's dialog: a labelled textarea with a
// character count that turns into an error past the server's limit (which refuses it too).
import { useId } from 'react';
import { countCharacters, INSTRUCTIONS_MAX_CHARS } from './instructions-api';

interface InstructionsFieldProps {
  label: string;
  hint: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | null;
  rows?: number;
}

export function InstructionsField({ label, hint, value, onChange, error, rows = 6 }: InstructionsFieldProps) {
  const id = useId();
  const count = countCharacters(value);
  const over = count > INSTRUCTIONS_MAX_CHARS;
  const message = error ?? (over ? `Shorten the instructions to at most ${INSTRUCTIONS_MAX_CHARS.toLocaleString('en')} characters.` : null);
  return (
    <div className="field instructions-field">
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        rows={rows}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={message ? true : undefined}
        aria-describedby={`${id}-hint ${id}-count${message ? ` ${id}-error` : ''}`}
        placeholder="e.g. Answer briefly, in British English. I work in Python."
      />
      <div className="instructions-meta">
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
        <p className={over ? 'instructions-count over' : 'instructions-count'} id={`${id}-count`}>
          {count.toLocaleString('en')} / {INSTRUCTIONS_MAX_CHARS.toLocaleString('en')}
        </p>
      </div>
      {message ? (
        <p className="field-error" id={`${id}-error`} role="alert">
          {message}
        </p>
      ) : null}
    </div>
  );
}

export const tooLong = (text: string) => countCharacters(text) > INSTRUCTIONS_MAX_CHARS;
