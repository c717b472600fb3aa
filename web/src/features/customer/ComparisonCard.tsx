import { lazy, useMemo } from 'react';
import { useQuery } from 'urql';
import { graphql } from '../../gql';
import { ChartCard } from '../../ui/ChartCard';
import { DataTable } from '../../ui/DataTable';
import { browserTimeZone, lastDays } from '../../ui/dates';
import { eventLabel } from '../events/label';
import { decimal, duration, number } from '../../ui/format';
import { ErrorMessage } from '../../ui/ErrorMessage';
import { SkeletonBlock } from '../../ui/Skeleton';
import type { ComparisonRow } from './ComparisonChart';

const ComparisonChart = lazy(() => import('./ComparisonChart'));

const DAYS = 90;

export const CustomerComparisonQuery = graphql(`
  query CustomerComparison($id: ID!, $range: AnalyticsRangeInput!, $timeZone: String!) {
    analytics(range: $range, customerId: $id, timeZone: $timeZone) {
      sessions
      comparison {
        activeCustomers
        eventTypes {
          type
          customer
          averageCustomer
        }
        pages {
          page
          customerViews
          customerAverageTimeSpentSeconds
          averageCustomerViews
          overallAverageTimeSpentSeconds
        }
      }
    }
  }
`);

export function ComparisonCard({ customerId }: { customerId: string }) {
  const range = useMemo(() => lastDays(DAYS), []);
  const [result, reexecute] = useQuery({
    query: CustomerComparisonQuery,
    variables: { id: customerId, range, timeZone: browserTimeZone() },
  });
  if (result.error)
    return <ErrorMessage error={result.error} retry={() => reexecute({ requestPolicy: 'network-only' })} />;
  const comparison = result.data?.analytics.comparison;
  if (!comparison) return <SkeletonBlock height={300} />;
  const rows: ComparisonRow[] = comparison.eventTypes.map((t) => ({
    type: eventLabel(t.type),
    customer: t.customer,
    average: Math.round((t.averageCustomer ?? 0) * 100) / 100,
  }));
  const pages = comparison.pages.slice(0, 8);
  return (
    <div className="grid-2">
      <ChartCard
        title={`Events, last ${DAYS} days`}
        description={`This customer beside the average of ${number(comparison.activeCustomers)} active customers`}
        chart={<ComparisonChart rows={rows} />}
        rows={rows}
        rowKey={(r) => r.type}
        columns={[
          { key: 'type', header: 'Event', render: (r) => r.type },
          { key: 'c', header: 'This customer', render: (r) => number(r.customer), numeric: true },
          { key: 'a', header: 'Average customer', render: (r) => decimal(r.average, 2), numeric: true },
        ]}
      />
      <section className="card" aria-labelledby="pages-title">
        <div className="card-head">
          <h2 id="pages-title" className="card-title">
            Pages, last {DAYS} days
          </h2>
        </div>
        {pages.length === 0 ? (
          <p className="empty">No page views in this range.</p>
        ) : (
          <DataTable
            caption="Pages this customer viewed, with average time per page"
            rows={pages}
            rowKey={(p) => p.page}
            columns={[
              { key: 'page', header: 'Page', render: (p) => <code>{p.page}</code> },
              { key: 'v', header: 'Views', render: (p) => number(p.customerViews), numeric: true },
              { key: 'av', header: 'Avg. views', render: (p) => decimal(p.averageCustomerViews, 2), numeric: true },
              { key: 't', header: 'Time', render: (p) => duration(p.customerAverageTimeSpentSeconds), numeric: true },
              { key: 'at', header: 'Avg. time', render: (p) => duration(p.overallAverageTimeSpentSeconds), numeric: true },
            ]}
          />
        )}
      </section>
    </div>
  );
}
