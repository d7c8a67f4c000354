// Money is integers end to end: prices are micro-dollars per million tokens, costs are
// nano-dollars, so a month's thousands of additions never drift the way floating point would.

export interface ModelPrice {
  inputMicroUsdPerMillion: number;
  outputMicroUsdPerMillion: number;
}

const NANO_PER_MICRO = 1000n;
const TOKENS_PER_MILLION = 1_000_000n;

/** tokens x price, in nano-dollars, rounded half up (exact for prices in steps of $0.000001/M). */
function tokenCostNano(tokens: number, microUsdPerMillion: number): bigint {
  const numerator = BigInt(tokens) * BigInt(microUsdPerMillion) * NANO_PER_MICRO;
  return (numerator + TOKENS_PER_MILLION / 2n) / TOKENS_PER_MILLION;
}

export function costNanoUsd(price: ModelPrice, inputTokens: number, outputTokens: number): bigint {
  return tokenCostNano(inputTokens, price.inputMicroUsdPerMillion) + tokenCostNano(outputTokens, price.outputMicroUsdPerMillion);
}

/** For display: nano-dollars as a number of dollars (exactness stays in the database). */
export function nanoToUsd(nano: bigint | number | string): number {
  const n = BigInt(nano);
  return Number(n / 1_000_000_000n) + Number(n % 1_000_000_000n) / 1e9;
}
