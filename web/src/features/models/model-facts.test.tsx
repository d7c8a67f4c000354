import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Model, ModelsResponse } from '../../lib/types';
import { ModelFacts } from './model-facts';

const model = (id: string, label: string, over: Partial<Model> = {}): Model => ({
  id,
  label,
  provider: 'openai',
  context_window: 128_000,
  max_output_tokens: 16_384,
  input_price_per_million_usd: 0.15,
  output_price_per_million_usd: 0.6,
  input_price_per_million_micro_usd: 150_000,
  output_price_per_million_micro_usd: 600_000,
  tiers: ['starter', 'builder', 'advanced'],
  ...over,
});

const demo = model('demo', 'Demo (offline)', {
  provider: 'demo',
  context_window: 16_384,
  max_output_tokens: 2048,
  input_price_per_million_usd: 0,
  output_price_per_million_usd: 0,
  input_price_per_million_micro_usd: 0,
  output_price_per_million_micro_usd: 0,
  tiers: ['free', 'starter', 'builder', 'advanced'],
});
const mini = model('gpt-4o-mini', 'GPT-4o mini');
const big = model('gpt-4o', 'GPT-4o', { input_price_per_million_usd: 2.5, output_price_per_million_usd: 10, tiers: ['advanced'] });
const response: ModelsResponse = { models: [demo, mini], default_model: 'demo', other_models: [big] };

describe('ModelFacts', () => {
  it("shows the chosen model's context window, prices per million tokens and plans", () => {
    const { rerender } = render(<ModelFacts modelId="gpt-4o-mini" models={response} />);
    const line = screen.getByLabelText('About GPT-4o mini');
    expect(line.textContent).toContain('128K context');
    expect(line.textContent).toContain('$0.15 / $0.60 per 1M tokens');
    expect(line.textContent).toContain('Starter, Builder, Advanced');
    rerender(<ModelFacts modelId="demo" models={response} />);
    expect(screen.getByLabelText('About Demo (offline)').textContent).toContain('16K context');
    expect(screen.getByLabelText('About Demo (offline)').textContent).toContain('No charge');
  });

  it('compares every model: yours, and the others marked with the plans that have them', async () => {
    render(<ModelFacts modelId="demo" models={response} />);
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Compare models' }));
    const dialog = screen.getByRole('dialog', { name: 'Compare models' });
    const rows = within(dialog).getAllByRole('row').slice(1);
    expect(rows.map((r) => within(r).getByRole('rowheader').textContent)).toEqual(['Demo (offline)chosen', 'GPT-4o mini', 'GPT-4onot in your plan']);
    const cells = (i: number) =>
      within(rows[i]!)
        .getAllByRole('cell')
        .map((c) => c.textContent);
    expect(cells(0)).toEqual(['16,384', '2,048', 'Free', 'Free', 'Free, Starter, Builder, Advanced']);
    expect(cells(2)).toEqual(['128,000', '16,384', '$2.50', '$10.00', 'Advanced']);
    expect(rows[0]!.getAttribute('aria-current')).toBe('true');
    await user.click(within(dialog).getByRole('button', { name: 'Close' }));
    expect(screen.queryByRole('dialog', { name: 'Compare models' })).toBeNull();
  });
});
