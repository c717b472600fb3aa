import { graphql } from '../../gql';
import { ErrorMessage } from '../../ui/ErrorMessage';
import { SkeletonBlock } from '../../ui/Skeleton';
import { useConnection } from '../../ui/useConnection';
import { EventViews } from './EventViews';

export const SessionEventsQuery = graphql(`
  query SessionEvents($id: ID!, $first: Int, $after: String) {
    session(id: $id) {
      id
      events(first: $first, after: $after) {
        edges {
          cursor
          node {
            id
            name
            page
            timestamp
            metadata
            bot
            context {
              browser
              browserVersion
              os
              osVersion
              deviceType
              referrer
              referrerDomain
              utmSource
              utmMedium
              utmCampaign
            }
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`);

export function SessionEvents({ sessionId }: { sessionId: string }) {
  const list = useConnection(SessionEventsQuery, { id: sessionId, first: 100 }, (d) => d.session?.events);
  if (list.error) return <ErrorMessage error={list.error} retry={list.retry} />;
  if (list.fetching && list.nodes.length === 0) return <SkeletonBlock height={120} />;
  return (
    <div>
      <EventViews events={list.nodes} />
      {/* A button only: the session list around it scrolls on its own. */}
      {list.hasNextPage && (
        <div className="load-more">
          <button type="button" className="button" onClick={list.loadMore} disabled={list.fetching}>
            {list.fetching ? 'Loading…' : 'Load more events'}
          </button>
        </div>
      )}
    </div>
  );
}
