// Beside the chat's model picker: the chosen model's context window, its price per million
// tokens (input / output) and the plans that include it, and "Compare" for every model of the
// server side by side (GET /api/models: yours, and the others with the plans that have them).
import { useState } from 'react';
import { DataTable, type Column } from '../../components/data-table';
import { ModalDialog } from '../../components/modal-dialog';
import { capitalize, formatCompact, formatInt, formatUsd } from '../../lib/format';
import { Link } from '../../lib/router';
import type { Model, ModelsResponse } from '../../lib/types';

/** "$0.15 / $0.60 per 1M tokens" (input / output), or "No charge" when both are 0 (the demo model, a local one). */
export function formatPrices(m: Pick<Model, 'input_price_per_million_usd' | 'output_price_per_million_usd'>): string {
  if (m.input_price_per_million_usd === 0 && m.output_price_per_million_usd === 0) return 'No charge';
  return `${formatUsd(m.input_price_per_million_usd)} / ${formatUsd(m.output_price_per_million_usd)} per 1M tokens`;
}

/** "16K" for 16,384 and "128K" for 128,000, as context windows are usually named. */
export const formatContext = (tokens: number) =>
  tokens % 1000 !== 0 && tokens % 1024 === 0 && tokens < 1_048_576 ? `${tokens / 1024}K` : formatCompact(tokens);

export const formatPlans = (tiers: readonly string[]) => (tiers.length ? tiers.map(capitalize).join(', ') : 'No plan');

export function ModelFacts({ modelId, models }: { modelId: string; models: ModelsResponse | undefined }) {
  const [comparing, setComparing] = useState(false);
  const model = models?.models.find((m) => m.id === modelId);
  if (!models) return null;
  return (
    <div className="model-facts">
      {model ? (
        <p className="model-facts-line" aria-label={`About ${model.label}`}>
          <span title={`${formatInt(model.context_window)} tokens of context`}>{formatContext(model.context_window)} context</span>
          <span title="Price per million tokens, input / output">{formatPrices(model)}</span>
          <span className="model-facts-plans">{formatPlans(model.tiers)}</span>
        </p>
      ) : null}
      <button type="button" className="button ghost small" onClick={() => setComparing(true)}>
        Compare models
      </button>
      <CompareModelsDialog open={comparing} models={models} current={modelId} onClose={() => setComparing(false)} />
    </div>
  );
}

interface Row extends Model {
  available: boolean;
}

function CompareModelsDialog({ open, models, current, onClose }: { open: boolean; models: ModelsResponse; current: string; onClose: () => void }) {
  const rows: Row[] = [...models.models.map((m) => ({ ...m, available: true })), ...models.other_models.map((m) => ({ ...m, available: false }))];
  const columns: Column<Row>[] = [
    {
      header: 'Model',
      rowHeader: true,
      cell: (m) => (
        <>
          {m.label}
          {m.id === current ? <span className="badge">chosen</span> : null}
          {m.available ? null : <span className="badge muted-badge">not in your plan</span>}
        </>
      ),
    },
    { header: 'Context window', numeric: true, cell: (m) => formatInt(m.context_window) },
    { header: 'Longest reply', numeric: true, cell: (m) => formatInt(m.max_output_tokens) },
    { header: 'Input per 1M', numeric: true, cell: (m) => (m.input_price_per_million_usd === 0 ? 'Free' : formatUsd(m.input_price_per_million_usd)) },
    { header: 'Output per 1M', numeric: true, cell: (m) => (m.output_price_per_million_usd === 0 ? 'Free' : formatUsd(m.output_price_per_million_usd)) },
    { header: 'Plans', cell: (m) => formatPlans(m.tiers) },
  ];
  return (
    <ModalDialog open={open} labelledBy="compare-models-title" className="compare-models-dialog" onClose={onClose}>
      <h2 id="compare-models-title">Compare models</h2>
      {open ? (
        <DataTable
          className="compare-models-table"
          columns={columns}
          rows={rows}
          rowKey={(m) => m.id}
          rowProps={(m) => (m.id === current ? { 'aria-current': 'true', className: 'current' } : {})}
        />
      ) : null}
      <p className="muted small">
        Context and replies in tokens; prices in US dollars per million tokens, what your usage is counted at. Other plans are on the{' '}
        <Link to="/plans">Plans</Link> page.
      </p>
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onClose}>
          Close
        </button>
      </div>
    </ModalDialog>
  );
}
