import { useCallback, useState } from 'react';
import { useQuery, type AnyVariables, type CombinedError, type TypedDocumentNode } from 'urql';

export interface Connection<N> {
  edges: { node: N }[];
  pageInfo: { hasNextPage: boolean; endCursor?: string | null };
}

export interface ConnectionState<Q, N> {
  data: Q | undefined;
  nodes: N[];
  fetching: boolean;
  /** Fetching because the variables changed (the rows shown are the old ones). */
  refreshing: boolean;
  error: CombinedError | undefined;
  hasNextPage: boolean;
  loadMore: () => void;
  retry: () => void;
}

/**
 * A Relay connection paged forward: loadMore() asks for the page after
 * pageInfo.endCursor; Graphcache's relayPagination merges the pages, so the
 * result holds every page loaded so far. Changing `variables` starts over.
 */
export function useConnection<Q, V extends AnyVariables, N>(
  query: TypedDocumentNode<Q, V>,
  variables: Omit<V, 'after'>,
  select: (data: Q) => Connection<N> | null | undefined,
  pause = false,
): ConnectionState<Q, N> {
  const key = JSON.stringify(variables);
  const [cursor, setCursor] = useState<{ key: string; after: string | null }>({ key, after: null });
  const after = cursor.key === key ? cursor.after : null;
  const [result, reexecute] = useQuery<Q, V>({
    query,
    variables: { ...variables, after } as unknown as V,
    pause,
  });
  const connection = result.data ? select(result.data) : undefined;
  const endCursor = connection?.pageInfo.endCursor ?? null;
  const hasNextPage = !!connection?.pageInfo.hasNextPage;
  const fetching = result.fetching;
  const loadMore = useCallback(() => {
    if (hasNextPage && !fetching && endCursor) setCursor({ key, after: endCursor });
  }, [hasNextPage, fetching, endCursor, key]);
  const retry = useCallback(() => reexecute({ requestPolicy: 'network-only' }), [reexecute]);
  return {
    data: result.data,
    nodes: connection?.edges.map((e) => e.node) ?? [],
    fetching,
    refreshing: fetching && after === null && !!result.data,
    error: result.error,
    hasNextPage,
    loadMore,
    retry,
  };
}
