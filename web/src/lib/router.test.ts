import { describe, expect, it } from 'vitest';
import { safeNextPath } from './router';

describe('safeNextPath', () => {
  it('keeps a path on this site, with its query', () => {
    expect(safeNextPath('/c/11111111-1111-4111-8111-111111111111')).toBe('/c/11111111-1111-4111-8111-111111111111');
    expect(safeNextPath('/usage?month=2026-07')).toBe('/usage?month=2026-07');
    expect(safeNextPath('/settings#api-keys')).toBe('/settings#api-keys');
  });

  it('goes to the chat when there is no destination, or it is the log-in or sign-up page', () => {
    expect(safeNextPath(null)).toBe('/');
    expect(safeNextPath('')).toBe('/');
    expect(safeNextPath('/login')).toBe('/');
    expect(safeNextPath('/register?next=/usage')).toBe('/');
  });

  it('refuses other sites, however the address is written', () => {
    for (const next of [
      'https://evil.example',
      'javascript:alert(1)',
      'evil.example',
      '//evil.example',
      // Browsers read a backslash as a slash, and drop tabs and newlines: each of these is //evil.example.
      '/\\evil.example',
      '\\\\evil.example',
      '/\t/evil.example',
      '/\n/evil.example',
      '/\r\n/evil.example',
      // Encoded, for whatever decodes the path once more.
      '/%5Cevil.example',
      '/%2F%2Fevil.example',
      '/%2Fevil.example',
      '/%09/evil.example',
      '/%252F%252Fevil.example',
      '/%E0%A4%A', // not decodable at all
    ]) {
      expect(safeNextPath(next), JSON.stringify(next)).toBe('/');
    }
  });
});
