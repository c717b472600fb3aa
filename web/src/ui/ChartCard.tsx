import { Suspense, useId, useState, type ReactNode } from 'react';
import { DataTable, type Column } from './DataTable';
import { SkeletonBlock } from './Skeleton';

/**
 * A chart with its text alternative: "Show as table" renders the same rows as
 * a table. The chart itself is usually a lazy component (the chart library is
 * its own chunk), hence the Suspense.
 */
export function ChartCard<T>({
  title,
  description,
  chart,
  columns,
  rows,
  rowKey,
  height = 240,
}: {
  title: string;
  description?: string;
  chart: ReactNode;
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T, index: number) => string;
  height?: number;
}) {
  const [asTable, setAsTable] = useState(false);
  const headingId = useId();
  return (
    <section className="card" aria-labelledby={headingId}>
      <div className="card-head">
        <div>
          <h2 id={headingId} className="card-title">
            {title}
          </h2>
          {description && <p className="muted small">{description}</p>}
        </div>
        <button
          type="button"
          className="button button-small"
          aria-pressed={asTable}
          onClick={() => setAsTable((v) => !v)}
        >
          {asTable ? 'Show as chart' : 'Show as table'}
        </button>
      </div>
      {rows.length === 0 ? (
        <p className="empty">No data in this range.</p>
      ) : asTable ? (
        <DataTable columns={columns} rows={rows} rowKey={rowKey} caption={title} />
      ) : (
        <div className="chart" style={{ height }} aria-hidden="true">
          <Suspense fallback={<SkeletonBlock height={height} />}>{chart}</Suspense>
        </div>
      )}
    </section>
  );
}
