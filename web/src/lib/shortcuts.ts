// The app's keyboard shortcuts: one list, which the help dialog shows and the key handlers read.
// Chosen as other chat apps have them (ChatGPT's new chat and composer keys), and none of them
// typed text: "?" counts only outside text fields.

export type ShortcutAction = 'new-chat' | 'focus-composer' | 'help' | 'stop';

export const SHORTCUTS: { action: ShortcutAction; keys: string[]; what: string }[] = [
  { action: 'new-chat', keys: ['Ctrl', 'Shift', 'O'], what: 'Start a new chat' },
  { action: 'focus-composer', keys: ['Shift', 'Esc'], what: 'Go to the message box' },
  { action: 'stop', keys: ['Esc'], what: 'Stop the reply being written; leave a message being edited' },
  { action: 'help', keys: ['Ctrl', '/'], what: 'Show these shortcuts (or ? outside a text field)' },
];

/** Ctrl on most systems, ⌘ on Apple's: the help dialog names the one this machine uses. */
export const isApple = () => typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

export function keyLabel(key: string): string {
  return key === 'Ctrl' && isApple() ? '⌘' : key;
}

/** Where typing goes: "?" there is a character, not a shortcut. */
export function isTextField(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLInputElement && !['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file'].includes(target.type);
}

/** The app-wide shortcut a key press means, if any (Escape alone is the chat's own: see ChatSession). */
export function shortcutOf(e: KeyboardEvent): Exclude<ShortcutAction, 'stop'> | null {
  const mod = e.ctrlKey || e.metaKey;
  if (mod && e.shiftKey && !e.altKey && e.key.toLowerCase() === 'o') return 'new-chat';
  if (e.key === 'Escape' && e.shiftKey && !mod && !e.altKey) return 'focus-composer';
  if (mod && !e.altKey && (e.key === '/' || e.code === 'Slash')) return 'help';
  if (e.key === '?' && !mod && !e.altKey && !isTextField(e.target)) return 'help';
  return null;
}
