import { useEffect, useMemo } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { graphql } from '../../gql';
import { ErrorMessage } from '../../ui/ErrorMessage';
import { flag } from './flag';
import { LoadMore } from '../../ui/LoadMore';
import { SkeletonRows } from '../../ui/Skeleton';
import { RelativeTime } from '../../ui/Time';
import { useConnection } from '../../ui/useConnection';
import { Filters } from './Filters';
import { readView, toVariables } from './params';
import { RecentCustomers } from './RecentCustomers';
import { SearchBox } from './SearchBox';

export const PAGE_SIZE = 25;

export const CustomersQuery = graphql(`
  query Customers(
    $search: String
    $filter: CustomerFilterInput
    $orderBy: CustomerOrder
    $first: Int
    $after: String
  ) {
    customers(search: $search, filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
      edges {
        cursor
        node {
          id
          name
          email
          country
          lastSeenAt
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export function CustomersPage() {
  const [params] = useSearchParams();
  const key = params.toString();
  const variables = useMemo(
    () => ({ ...toVariables(readView(new URLSearchParams(key))), first: PAGE_SIZE }),
    [key],
  );
  const list = useConnection(CustomersQuery, variables, (d) => d.customers);
  const { nodes, fetching, error } = list;
  useEffect(() => {
    document.title = 'Customers · Tracking';
  }, []);
  const initialLoading = fetching && nodes.length === 0 && !error;

  return (
    <div className="layout-sidebar">
      <div className="stack">
        <div className="page-head">
          <div>
            <h1>Customers</h1>
            <p className="muted small">Find a visitor by name, email or distinct id.</p>
          </div>
        </div>
        <SearchBox />
        <Filters />
        {error && <ErrorMessage error={error} retry={list.retry} />}
        <section
          className={list.refreshing ? 'card refreshing' : 'card'}
          aria-label="Customers"
          aria-busy={fetching}
        >
          <div className="table-scroll">
            <table className="table" data-testid="customers-table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col" className="hide-narrow">
                    Email
                  </th>
                  <th scope="col">Country</th>
                  <th scope="col">Last seen</th>
                </tr>
              </thead>
              <tbody>
                {initialLoading ? (
                  <SkeletonRows rows={8} columns={3} />
                ) : (
                  nodes.map((c) => (
                    <tr key={c.id} data-testid="customer-row">
                      <td>
                        <Link to={`/customers/${encodeURIComponent(c.id)}`}>{c.name || '(no name)'}</Link>
                        {c.email && <div className="show-narrow muted small cell-email">{c.email}</div>}
                      </td>
                      <td className="cell-email hide-narrow">{c.email ?? <span className="muted">—</span>}</td>
                      <td>
                        {c.country ? (
                          <span title={c.country}>
                            <span aria-hidden="true">{flag(c.country)}</span> {c.country}
                          </span>
                        ) : (
                          <span className="muted">—</span>
                        )}
                      </td>
                      <td>
                        <RelativeTime iso={c.lastSeenAt} />
                      </td>
                    </tr>
                  ))
                )}
              </tbody>
            </table>
          </div>
          {!fetching && !error && nodes.length === 0 && (
            <p className="empty" role="status">
              No customers match{params.get('q') ? ` “${params.get('q')}”` : ''}. Try fewer words or
              other filters.
            </p>
          )}
          <LoadMore hasMore={list.hasNextPage} loading={fetching} onLoad={list.loadMore} label="Load more customers" />
        </section>
      </div>
      <RecentCustomers />
    </div>
  );
}
