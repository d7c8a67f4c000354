// A month's tokens by model: the usage page's, and a team's (the same shape from the server).
import { DataTable, type Column } from '../../components/data-table';
import { formatInt, formatUsd } from '../../lib/format';
import type { UsageReport } from '../../lib/types';

type ModelRow = UsageReport['by_model'][number];

const MODEL_COLUMNS: Column<ModelRow>[] = [
  { header: 'Model', rowHeader: true, cell: (r) => r.model },
  { header: 'Requests', numeric: true, cell: (r) => formatInt(r.requests) },
  { header: 'Input', numeric: true, cell: (r) => formatInt(r.input_tokens) },
  { header: 'Output', numeric: true, cell: (r) => formatInt(r.output_tokens) },
  { header: 'Total tokens', numeric: true, cell: (r) => formatInt(r.total_tokens) },
  { header: 'Cost', numeric: true, cell: (r) => formatUsd(r.cost_usd) },
];

export function ModelTable({ rows, scrollLabel = 'Tokens by model (scrolls sideways)' }: { rows: readonly ModelRow[]; scrollLabel?: string }) {
  if (rows.length === 0) return <p className="muted">No model calls this month.</p>;
  return <DataTable columns={MODEL_COLUMNS} rows={rows} rowKey={(r) => r.model} className="model-table" scrollLabel={scrollLabel} />;
}
