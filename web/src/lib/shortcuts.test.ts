import { describe, expect, it } from 'vitest';
import { shortcutOf } from './shortcuts';

const key = (init: KeyboardEventInit, target: Element = document.body) => {
  const event = new KeyboardEvent('keydown', { bubbles: true, ...init });
  Object.defineProperty(event, 'target', { value: target });
  return event;
};

describe('shortcutOf', () => {
  it('reads Ctrl or ⌘ with Shift+O as a new chat, Shift+Esc as the message box, Ctrl+/ as help', () => {
    expect(shortcutOf(key({ key: 'O', ctrlKey: true, shiftKey: true }))).toBe('new-chat');
    expect(shortcutOf(key({ key: 'o', metaKey: true, shiftKey: true }))).toBe('new-chat');
    expect(shortcutOf(key({ key: 'Escape', shiftKey: true }))).toBe('focus-composer');
    expect(shortcutOf(key({ key: '/', ctrlKey: true }))).toBe('help');
  });

  it('takes "?" as help only outside text fields, and leaves plain keys alone', () => {
    const box = document.createElement('textarea');
    const input = document.createElement('input');
    const checkbox = Object.assign(document.createElement('input'), { type: 'checkbox' });
    expect(shortcutOf(key({ key: '?', shiftKey: true }))).toBe('help');
    expect(shortcutOf(key({ key: '?', shiftKey: true }, checkbox))).toBe('help');
    expect(shortcutOf(key({ key: '?', shiftKey: true }, box))).toBeNull();
    expect(shortcutOf(key({ key: '?', shiftKey: true }, input))).toBeNull();
    expect(shortcutOf(key({ key: 'o', shiftKey: true }))).toBeNull();
    expect(shortcutOf(key({ key: 'Escape' }))).toBeNull(); // the chat's own: it stops a reply
  });
});
