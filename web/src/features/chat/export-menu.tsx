// The conversation's export, as Markdown (to read) or JSON (to keep or process). A native
// <details> menu: keyboard and screen readers get its open/closed state for free.
import { useRef, useState } from 'react';
import { Icon } from '../../components/icon';
import { useSessionStore } from '../../lib/app-context';
import { exportConversation, type ExportFormat } from './chat-helpers';

const FORMATS: { format: ExportFormat; label: string }[] = [
  { format: 'markdown', label: 'Markdown (.md)' },
  { format: 'json', label: 'JSON (.json)' },
];

export function ExportMenu({ conversationId }: { conversationId: string }) {
  const session = useSessionStore();
  const menu = useRef<HTMLDetailsElement>(null);
  const [failure, setFailure] = useState<string | null>(null);

  const download = async (format: ExportFormat) => {
    setFailure(null);
    try {
      await exportConversation(session, conversationId, format);
      if (menu.current) menu.current.open = false;
    } catch (err) {
      setFailure(err instanceof Error ? err.message : 'The export failed.');
    }
  };

  return (
    <details className="export-menu" ref={menu}>
      <summary className="button ghost small icon" aria-label="Export this conversation" title="Export this conversation">
        <Icon name="download" />
      </summary>
      <div className="export-options">
        {FORMATS.map(({ format, label }) => (
          <button key={format} type="button" className="button ghost small" onClick={() => void download(format)}>
            {label}
          </button>
        ))}
        {failure ? (
          <p className="export-failure" role="alert">
            {failure}
          </p>
        ) : null}
      </div>
    </details>
  );
}
