// A value to copy (a new key, an invitation link): shown in full, so it can be selected by hand
// where the clipboard is not allowed, with a Copy button and optional actions after it.
import { useState, type ReactNode } from 'react';
import { Icon } from './icon';

export function CopyValue({ value, label, children }: { value: string; label: string; children?: ReactNode }) {
  const [copied, setCopied] = useState(false);
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
    } catch {
      setCopied(false); // no clipboard access: the value stays on screen to select by hand
    }
  }
  return (
    <div className="copy-value">
      <code aria-label={label}>{value}</code>
      <button type="button" className="button small" onClick={() => void copy()}>
        <Icon name={copied ? 'check' : 'copy'} size={14} /> {copied ? 'Copied' : 'Copy'}
      </button>
      {children}
    </div>
  );
}
