import { describe, expect, it } from 'vitest';
import { safeEqual } from './safe-equal.js';

describe('safeEqual', () => {
  it('answers whether two strings are equal, whatever their lengths', () => {
    expect(safeEqual('Bearer s3cret', 'Bearer s3cret')).toBe(true);
    expect(safeEqual('Bearer s3cret', 'Bearer s3creT')).toBe(false);
    expect(safeEqual('Bearer s3cre', 'Bearer s3cret')).toBe(false);
    expect(safeEqual('', 'Bearer s3cret')).toBe(false);
    expect(safeEqual('', '')).toBe(true);
  });
});
