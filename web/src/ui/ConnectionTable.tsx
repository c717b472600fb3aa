import { DataTable, type Column } from './DataTable';
import { ErrorMessage } from './ErrorMessage';
import { LoadMore } from './LoadMore';
import { SkeletonBlock } from './Skeleton';
import type { ConnectionState } from './useConnection';

/** A useConnection list as a table: loading, error, empty and infinite scroll. */
export function ConnectionTable<Q, N>({
  list,
  columns,
  rowKey,
  caption,
  empty,
  loadMoreLabel,
  testId,
}: {
  list: ConnectionState<Q, N>;
  columns: Column<N>[];
  rowKey: (row: N, index: number) => string;
  caption: string;
  empty: string;
  loadMoreLabel: string;
  testId?: string;
}) {
  const { nodes, fetching, error } = list;
  return (
    <div className={list.refreshing ? 'refreshing' : undefined} aria-busy={fetching} data-testid={testId}>
      {error && <ErrorMessage error={error} retry={list.retry} />}
      {fetching && nodes.length === 0 && <SkeletonBlock height={160} />}
      {nodes.length > 0 && <DataTable columns={columns} rows={nodes} rowKey={rowKey} caption={caption} />}
      {!fetching && !error && nodes.length === 0 && (
        <p className="empty" role="status">
          {empty}
        </p>
      )}
      <LoadMore hasMore={list.hasNextPage} loading={fetching} onLoad={list.loadMore} label={loadMoreLabel} />
    </div>
  );
}
