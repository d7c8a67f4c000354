// The message box. Enter sends, Shift+Enter starts a new line; while a reply streams the send
// button becomes Stop. The text is saved as a draft on every change.
import { useEffect, useRef, type FormEvent, type KeyboardEvent } from 'react';
import { Icon } from '../../components/icon';

interface ComposerProps {
  value: string;
  onChange: (text: string) => void;
  onSend: () => void;
  onStop: () => void;
  streaming: boolean;
  /** Stop was pressed: the reply's last words and its end are on their way. */
  stopping?: boolean;
  disabled: boolean;
}

export function Composer({ value, onChange, onSend, onStop, streaming, stopping = false, disabled }: ComposerProps) {
  const ref = useRef<HTMLTextAreaElement>(null);

  // Grow with the text, up to a limit (then it scrolls).
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 240)}px`;
  }, [value]);

  function submit(event: FormEvent) {
    event.preventDefault();
    if (streaming) {
      if (!stopping) onStop();
    } else if (value.trim() && !disabled) onSend();
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      if (!streaming && value.trim() && !disabled) onSend();
    }
  }

  return (
    <form className="composer" onSubmit={submit}>
      <label htmlFor="composer-input" className="visually-hidden">
        Message
      </label>
      <textarea
        id="composer-input"
        ref={ref}
        rows={1}
        value={value}
        placeholder="Send a message"
        title="Enter sends; Shift+Enter starts a new line"
        onChange={(e) => onChange(e.target.value)}
        onKeyDown={onKeyDown}
      />
      {streaming ? (
        <button type="submit" className="button stop" aria-label={stopping ? 'Stopping the reply' : 'Stop the reply'} disabled={stopping}>
          <Icon name="stop" /> <span>{stopping ? 'Stopping…' : 'Stop'}</span>
        </button>
      ) : (
        <button type="submit" className="button primary" disabled={disabled || !value.trim()} aria-label="Send message">
          <Icon name="send" /> <span>Send</span>
        </button>
      )}
    </form>
  );
}
