import { useState } from 'react';
import { graphql } from '../../gql';
import { ErrorMessage } from '../../ui/ErrorMessage';
import { duration, formatDateTime, number } from '../../ui/format';
import { LoadMore } from '../../ui/LoadMore';
import { SkeletonBlock } from '../../ui/Skeleton';
import { useConnection } from '../../ui/useConnection';
import { SessionEvents } from './SessionEvents';

export const CustomerSessionsQuery = graphql(`
  query CustomerSessions($id: ID!, $first: Int, $after: String) {
    customer(id: $id) {
      id
      sessions(first: $first, after: $after) {
        edges {
          cursor
          node {
            id
            startTime
            active
            durationSeconds
            device
            eventCount
            bot
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

export function SessionsList({ customerId }: { customerId: string }) {
  const list = useConnection(CustomerSessionsQuery, { id: customerId, first: 20 }, (d) => d.customer?.sessions);
  const [open, setOpen] = useState<Set<string>>(new Set());
  const toggle = (id: string) =>
    setOpen((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  return (
    <section className="card" aria-labelledby="sessions-title">
      <div className="card-head">
        <h2 id="sessions-title" className="card-title">
          Sessions
        </h2>
        <span className="muted small">newest first</span>
      </div>
      {list.error && <ErrorMessage error={list.error} retry={list.retry} />}
      {list.fetching && list.nodes.length === 0 && <SkeletonBlock height={200} />}
      {!list.fetching && !list.error && list.nodes.length === 0 && <p className="empty">No sessions yet.</p>}
      <ul className="sessions">
        {list.nodes.map((s) => {
          const expanded = open.has(s.id);
          const bodyId = `session-${s.id}`;
          return (
            <li key={s.id} className="session" data-testid="session">
              <button
                type="button"
                className="session-toggle"
                aria-expanded={expanded}
                aria-controls={bodyId}
                onClick={() => toggle(s.id)}
              >
                <span className="chevron" aria-hidden="true">
                  ›
                </span>
                <span>
                  <time dateTime={s.startTime}>{formatDateTime(s.startTime)}</time>
                </span>
                <span>
                  {s.active ? <span className="badge badge-active">active</span> : duration(s.durationSeconds)}
                </span>
                <span className="hide-narrow">
                  {s.device}
                  {s.bot && (
                    <span className="badge" title="A known bot or crawler: left out of analytics">
                      bot
                    </span>
                  )}
                </span>
                <span className="hide-narrow">{number(s.eventCount)} {s.eventCount === 1 ? 'event' : 'events'}</span>
              </button>
              <div id={bodyId} className="session-body" hidden={!expanded}>
                {expanded && <SessionEvents sessionId={s.id} />}
              </div>
            </li>
          );
        })}
      </ul>
      <LoadMore hasMore={list.hasNextPage} loading={list.fetching} onLoad={list.loadMore} label="Load more sessions" />
    </section>
  );
}
