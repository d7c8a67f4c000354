// A table of records: column headers (scope=col), the naming column as row headers (scope=row),
// numbers right-aligned in tabular figures (class "num"), an optional caption and a one-line empty
// state, inside a wrapper that scrolls sideways so a wide table never widens the page.
import type { HTMLAttributes, ReactNode } from 'react';

export interface Column<Row> {
  header: ReactNode;
  cell: (row: Row) => ReactNode;
  /** A figure: right-aligned, tabular digits, in the header as in the cells. */
  numeric?: boolean;
  /** This column names the row: its cells are <th scope="row">. */
  rowHeader?: boolean;
  /** A class for this column's cells (not its header). */
  className?: string;
}

interface DataTableProps<Row> {
  columns: readonly Column<Row>[];
  rows: readonly Row[];
  rowKey: (row: Row) => string;
  caption?: ReactNode;
  /** Classes beside "data-table", for a table's own styles. */
  className?: string;
  /** Shown in a single muted row when there are no rows; nothing when left out. */
  empty?: ReactNode;
  rowProps?: (row: Row) => HTMLAttributes<HTMLTableRowElement>;
  /**
   * Names the sideways-scrolling box and makes it a Tab stop, so that a keyboard can scroll a table
   * wider than a phone (its arrows do, once it has the focus). For tables that may not fit.
   */
  scrollLabel?: string;
}

const classes = (...names: (string | false | undefined)[]) => names.filter(Boolean).join(' ') || undefined;

export function DataTable<Row>({ columns, rows, rowKey, caption, className, empty, rowProps, scrollLabel }: DataTableProps<Row>) {
  return (
    <div className="table-scroll" {...(scrollLabel ? { tabIndex: 0, role: 'region', 'aria-label': scrollLabel } : {})}>
      <table className={classes('data-table', className)}>
        {caption ? <caption>{caption}</caption> : null}
        <thead>
          <tr>
            {columns.map((c, i) => (
              <th key={i} scope="col" className={classes(c.numeric && 'num')}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)} {...rowProps?.(row)}>
              {columns.map((c, i) => {
                const className = classes(c.numeric && 'num', c.className);
                return c.rowHeader ? (
                  <th key={i} scope="row" className={className}>
                    {c.cell(row)}
                  </th>
                ) : (
                  <td key={i} className={className}>
                    {c.cell(row)}
                  </td>
                );
              })}
            </tr>
          ))}
          {rows.length === 0 && empty ? (
            <tr>
              <td colSpan={columns.length} className="muted">
                {empty}
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
    </div>
  );
}
