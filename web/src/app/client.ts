// urql + Graphcache rather than Apollo Client: about a third of the size
// (the initial-JS budget is 200 kB), and Graphcache's relayPagination merges
// the pages of a Relay connection (pageInfo.endCursor / hasNextPage) into one
// list, which is exactly what our infinite-scroll lists need. Typed documents
// come from GraphQL Code Generator's client preset (src/gql/).
import { Client, fetchExchange, mapExchange, type Exchange, type Operation, type TypedDocumentNode } from 'urql';
import { cacheExchange, type Cache, type CacheExchangeOpts } from '@urql/exchange-graphcache';
import { relayPagination } from '@urql/exchange-graphcache/extras';
import { graphql } from '../gql';
import { typesWithoutId } from '../gql/embedded';
import type { CreateApiKeyMutation, CreateWriteKeyMutation, EraseCustomerMutationVariables } from '../gql/graphql';
import { apiUrl } from './config';
import { findError } from './errors';
import { tracedFetch } from './tracing';

const embedded = () => null;

/** Drops every cached page of these root fields; mounted lists refetch. */
function invalidate(cache: Cache, ...fields: string[]) {
  for (const field of cache.inspectFields('Query')) {
    if (fields.includes(field.fieldName)) cache.invalidate('Query', field.fieldKey);
  }
}

// The cache's own view of the lists it puts new items on: their edges' links.
// The node itself is cached already, from the mutation's answer, so this file
// needs none of the admin pages' documents.
const ApiKeyEdges = graphql(`
  query ApiKeyEdges($first: Int, $after: String) {
    apiKeys(first: $first, after: $after) {
      edges {
        cursor
        node {
          id
        }
      }
    }
  }
`);

const WriteKeyEdges = graphql(`
  query WriteKeyEdges($first: Int, $after: String) {
    writeKeys(first: $first, after: $after) {
      edges {
        cursor
        node {
          id
        }
      }
    }
  }
`);

/**
 * Puts a new item first on the cached first page of a list, whatever its page
 * size. Invalidating the list instead would refetch only the page last asked
 * for, and the merged list would lose the pages before it.
 */
function prepend<Q>(
  cache: Cache,
  query: TypedDocumentNode<Q, { first?: number | null; after?: string | null }>,
  field: keyof Q & string,
  edge: unknown,
) {
  for (const { fieldName, arguments: args } of cache.inspectFields('Query')) {
    if (fieldName !== field || args?.after != null) continue;
    cache.updateQuery({ query, variables: args ?? {} }, (data) => {
      const list = data?.[field] as { edges: unknown[] } | undefined;
      return list ? ({ ...data, [field]: { ...list, edges: [edge, ...list.edges] } } as Q) : data;
    });
  }
}

export const cacheOptions: CacheExchangeOpts = {
  // Types without an id are stored inside their parent: the list comes from
  // the SDL (src/gql/embedded.ts), so a new type cannot be forgotten here.
  keys: Object.fromEntries(typesWithoutId.map((name) => [name, embedded])),
  resolvers: {
    Query: {
      customers: relayPagination(),
      apiKeys: relayPagination(),
      writeKeys: relayPagination(),
      auditLog: relayPagination(),
    },
    Customer: { sessions: relayPagination() },
    Session: { events: relayPagination() },
  },
  // Revoking returns the key, which updates it in place; every change of
  // access or data is also a new audit entry.
  updates: {
    Mutation: {
      createApiKey(result, _args, cache) {
        const { apiKey } = (result as CreateApiKeyMutation).createApiKey;
        prepend(cache, ApiKeyEdges, 'apiKeys', { __typename: 'ApiKeyEdge', cursor: '', node: apiKey });
        invalidate(cache, 'auditLog');
      },
      createWriteKey(result, _args, cache) {
        const writeKey = (result as CreateWriteKeyMutation).createWriteKey;
        prepend(cache, WriteKeyEdges, 'writeKeys', { __typename: 'WriteKeyEdge', cursor: '', node: writeKey });
        invalidate(cache, 'auditLog');
      },
      revokeApiKey(_result, _args, cache) {
        invalidate(cache, 'auditLog');
      },
      revokeWriteKey(_result, _args, cache) {
        invalidate(cache, 'auditLog');
      },
      eraseCustomer(_result, args, cache) {
        // Gone for good: no list, figure or page may still show them.
        cache.invalidate({ __typename: 'Customer', id: (args as EraseCustomerMutationVariables).id });
        invalidate(cache, 'customers', 'analytics', 'auditLog');
      },
    },
  },
};

export interface ClientOptions {
  transport?: Exchange;
  /** Called for each result refused with UNAUTHENTICATED: signed out, or the session ended. */
  onUnauthenticated?: (operation: Operation) => void;
}

export function makeClient(
  url: string = apiUrl(),
  { transport = fetchExchange, onUnauthenticated }: ClientOptions = {},
): Client {
  const exchanges = [cacheExchange(cacheOptions), transport];
  if (onUnauthenticated) {
    const signedOut = mapExchange({
      onError(error, operation) {
        if (findError(error, 'UNAUTHENTICATED')) onUnauthenticated(operation);
      },
    });
    exchanges.unshift(signedOut);
  }
  return new Client({
    url,
    exchanges,
    preferGetMethod: false,
    fetch: tracedFetch,
    // The session cookie must ride along when the API is on another origin
    // (VITE_API_URL, /config.js); on the same origin this changes nothing.
    fetchOptions: { credentials: 'include' },
  });
}
