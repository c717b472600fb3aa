import { useEffect } from 'react';
import { Link, useParams } from 'react-router-dom';
import { useQuery } from 'urql';
import { findError } from '../../app/errors';
import { NotFound } from '../../app/NotFound';
import { can, useMe } from '../../app/session';
import { graphql } from '../../gql';
import { CopyButton } from '../../ui/CopyButton';
import { ErrorMessage } from '../../ui/ErrorMessage';
import { flag } from '../customers/flag';
import { formatDateTime } from '../../ui/format';
import { PageSkeleton } from '../../ui/Skeleton';
import { RelativeTime } from '../../ui/Time';
import { rememberCustomer } from '../customers/recent';
import { ComparisonCard } from './ComparisonCard';
import { EraseCustomer } from './EraseCustomer';
import { SessionsList } from './SessionsList';

export const CustomerQuery = graphql(`
  query Customer($id: ID!) {
    customer(id: $id) {
      id
      databaseId
      distinctId
      name
      email
      country
      language
      createdAt
      lastSeenAt
    }
  }
`);

export default function CustomerPage() {
  const { id = '' } = useParams();
  const [result, reexecute] = useQuery({ query: CustomerQuery, variables: { id } });
  const customer = result.data?.customer;
  const { me } = useMe();

  useEffect(() => {
    if (customer) rememberCustomer({ id: customer.id, name: customer.name, email: customer.email });
  }, [customer]);

  useEffect(() => {
    document.title = customer ? `${customer.name} · Tracking` : 'Customer · Tracking';
  }, [customer]);

  if (result.error) {
    // A malformed id is the API's BAD_USER_INPUT: for a URL, that is "not found".
    if (findError(result.error, 'BAD_USER_INPUT')) return <NotFound what="customer" />;
    return <ErrorMessage error={result.error} retry={() => reexecute({ requestPolicy: 'network-only' })} />;
  }
  if (!result.data) return <PageSkeleton />;
  if (!customer) return <NotFound what="customer" />;

  const ids: [string, string][] = [
    ['id', customer.id],
    ['databaseId', customer.databaseId],
    ['distinctId', customer.distinctId],
  ];
  return (
    <div className="stack">
      <nav aria-label="Breadcrumb" className="small">
        <Link to="/">Customers</Link> <span aria-hidden="true">/</span> {customer.name}
      </nav>
      <section className="card" aria-labelledby="customer-name">
        <h1 id="customer-name">{customer.name || '(no name)'}</h1>
        <p className="muted small">
          {customer.email ?? 'no email'}
          {customer.country && (
            <>
              {' · '}
              <span aria-hidden="true">{flag(customer.country)}</span> {customer.country}
            </>
          )}
          {customer.language && ` · ${customer.language}`}
          {' · created '}
          <time dateTime={customer.createdAt} title={formatDateTime(customer.createdAt)}>
            {formatDateTime(customer.createdAt)}
          </time>
          {' · last seen '}
          <RelativeTime iso={customer.lastSeenAt} />
        </p>
        <dl className="id-list">
          {ids.map(([label, value]) => (
            <div key={label} className="id-row">
              <dt>{label}</dt>
              <dd>
                <span>{value}</span>
                <CopyButton value={value} label={label} />
              </dd>
            </div>
          ))}
        </dl>
      </section>
      <ComparisonCard customerId={customer.id} />
      <SessionsList customerId={customer.id} />
      {can(me, 'admin') && <EraseCustomer customer={customer} />}
    </div>
  );
}
