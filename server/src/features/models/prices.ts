// Prices are read from decimal text ("0.15") straight into integer micro-dollars, digit by digit:
// going through a float (0.15 * 1e6 = 149999.99...) would put a rounding error into every cost.
const DECIMAL = /^(\d{1,9})(?:\.(\d{1,6}))?$/;

/** "0.15" or 0.15 (USD per million tokens) -> 150000 micro-dollars; undefined if not a price. */
export function usdToMicroUsd(value: string | number): number | undefined {
  const text = typeof value === 'number' ? String(value) : value.trim();
  const match = DECIMAL.exec(text);
  if (!match) return undefined;
  const whole = Number(match[1]);
  const fraction = Number((match[2] ?? '').padEnd(6, '0'));
  return whole * 1_000_000 + fraction;
}

/** For display only: 150000 -> 0.15. */
export function microUsdToUsd(micro: number): number {
  return micro / 1_000_000;
}
