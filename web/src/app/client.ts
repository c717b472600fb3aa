// urql + Graphcache rather than Apollo Client: about a third of the size
// (the initial-JS budget is 200 kB), and Graphcache's relayPagination merges
// the pages of a Relay connection (pageInfo.endCursor / hasNextPage) into one
// list, which is exactly what our infinite-scroll lists need. Typed documents
// come from GraphQL Code Generator's client preset (src/gql/).
import { Client, fetchExchange, type Exchange } from 'urql';
import { cacheExchange, type CacheExchangeOpts } from '@urql/exchange-graphcache';
import { relayPagination } from '@urql/exchange-graphcache/extras';
import { apiUrl } from './config';
import { tracedFetch } from './tracing';

const embedded = () => null;

export const cacheOptions: CacheExchangeOpts = {
  // Types without an id are stored inside their parent.
  keys: Object.fromEntries(
    [
      'Analytics',
      'EventTypeStats',
      'FunnelStep',
      'Breakdown',
      'TimeSeriesPoint',
      'CustomerComparison',
      'TypeComparison',
      'PageComparison',
      'PageStats',
      'PageInfo',
      'CustomerConnection',
      'CustomerEdge',
      'SessionConnection',
      'SessionEdge',
      'EventConnection',
      'EventEdge',
    ].map((name) => [name, embedded]),
  ),
  resolvers: {
    Query: { customers: relayPagination() },
    Customer: { sessions: relayPagination() },
    Session: { events: relayPagination() },
  },
};

export function makeClient(url: string = apiUrl(), transport: Exchange = fetchExchange): Client {
  return new Client({
    url,
    exchanges: [cacheExchange(cacheOptions), transport],
    preferGetMethod: false,
    fetch: tracedFetch,
  });
}
