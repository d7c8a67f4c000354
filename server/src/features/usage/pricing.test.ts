import { describe, expect, it } from 'vitest';
import { costNanoUsd, nanoToUsd } from './pricing.js';

const gpt4oMini = { inputMicroUsdPerMillion: 150_000, outputMicroUsdPerMillion: 600_000 }; // $0.15 / $0.60 per M

describe('price arithmetic', () => {
  it('prices tokens in exact nano-dollars', () => {
    expect(costNanoUsd(gpt4oMini, 1, 0)).toBe(150n);
    expect(costNanoUsd(gpt4oMini, 0, 1)).toBe(600n);
    expect(costNanoUsd(gpt4oMini, 1_000_000, 1_000_000)).toBe(750_000_000n); // $0.75
  });

  it('does not drift over a million additions, where floating point does', () => {
    let exact = 0n;
    let float = 0;
    for (let i = 0; i < 1_000_000; i++) {
      exact += costNanoUsd(gpt4oMini, 1, 1);
      float += 0.15 / 1e6 + 0.6 / 1e6;
    }
    expect(exact).toBe(750_000_000n);
    expect(nanoToUsd(exact)).toBe(0.75);
    expect(float).not.toBe(0.75); // what summing dollars as floats would have recorded
  });

  it('rounds a fractional nano-dollar half up, once per record', () => {
    const odd = { inputMicroUsdPerMillion: 1, outputMicroUsdPerMillion: 0 }; // $0.000001 per M = 0.001 nano per token
    expect(costNanoUsd(odd, 499, 0)).toBe(0n);
    expect(costNanoUsd(odd, 500, 0)).toBe(1n);
  });

  it('handles token counts far beyond a month of use without overflow', () => {
    expect(costNanoUsd({ inputMicroUsdPerMillion: 75_000_000, outputMicroUsdPerMillion: 0 }, 10_000_000_000, 0)).toBe(750_000_000_000_000n);
  });
});
