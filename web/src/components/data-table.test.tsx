import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { DataTable, type Column } from './data-table';

interface Row {
  name: string;
  count: number;
}

const columns: Column<Row>[] = [
  { header: 'Name', rowHeader: true, cell: (r) => r.name },
  { header: 'Count', numeric: true, cell: (r) => String(r.count) },
];

describe('DataTable', () => {
  it('heads columns and rows for assistive technology, and right-aligns figures', () => {
    render(<DataTable caption="Things" columns={columns} rows={[{ name: 'apples', count: 3 }]} rowKey={(r) => r.name} />);
    const table = screen.getByRole('table', { name: 'Things' });
    expect(within(table).getByRole('columnheader', { name: 'Name' })).toHaveProperty('scope', 'col');
    expect(within(table).getByRole('columnheader', { name: 'Count' }).className).toBe('num');
    expect(within(table).getByRole('rowheader', { name: 'apples' })).toHaveProperty('scope', 'row');
    expect(within(table).getByRole('cell', { name: '3' }).className).toBe('num');
    expect(table.parentElement?.className).toBe('table-scroll');
  });

  it('says so in one row across every column when there are no rows', () => {
    render(<DataTable columns={columns} rows={[]} rowKey={(r) => r.name} empty="Nothing yet." />);
    const cell = screen.getByRole('cell', { name: 'Nothing yet.' });
    expect(cell).toHaveProperty('colSpan', 2);
    expect(cell.className).toBe('muted');
  });

  it('shows no empty row when there is no empty state (still loading)', () => {
    render(<DataTable columns={columns} rows={[]} rowKey={(r) => r.name} />);
    expect(screen.getAllByRole('row')).toHaveLength(1);
  });
});
