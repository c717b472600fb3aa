import { lazy, Suspense, useState } from 'react';
import { CopyButton } from '../../ui/CopyButton';
import { DataTable, type Column } from '../../ui/DataTable';
import { eventLabel } from '../events/label';
import { formatTime, summarize } from '../../ui/format';
import { SkeletonBlock } from '../../ui/Skeleton';
import { Tabs } from '../../ui/Tabs';

// The flow graph is its own chunk: most people look at a session's table first.
const FlowGraph = lazy(() => import('./FlowGraph'));

export interface EventItem {
  id: string;
  type: string;
  page: string;
  timestamp: string;
  metadata: unknown;
}

const columns: Column<EventItem>[] = [
  {
    key: 'time',
    header: 'Time',
    render: (e) => <time dateTime={e.timestamp}>{formatTime(e.timestamp)}</time>,
  },
  { key: 'type', header: 'Type', render: (e) => eventLabel(e.type) },
  { key: 'page', header: 'Page', render: (e) => <code>{e.page}</code> },
  { key: 'meta', header: 'Metadata', render: (e) => <span className="muted">{summarize(e.metadata)}</span> },
];

const TABS = [
  { id: 'graph', label: 'Flow' },
  { id: 'table', label: 'Table' },
  { id: 'json', label: 'JSON' },
];

export function EventViews({ events }: { events: EventItem[] }) {
  const [view, setView] = useState('graph');
  const json = JSON.stringify(events, null, 2);
  return (
    <Tabs tabs={TABS} selected={view} onSelect={setView} label="Event views">
      {view === 'graph' && (
        <Suspense fallback={<SkeletonBlock height={160} />}>
          <FlowGraph events={events} />
        </Suspense>
      )}
      {view === 'table' && (
        <div data-testid="events-table">
          <DataTable columns={columns} rows={events} rowKey={(e) => e.id} caption="Events of the session" />
        </div>
      )}
      {view === 'json' && (
        <div>
          <CopyButton value={json} label="events as JSON" />
          <pre className="json" data-testid="events-json" tabIndex={0} aria-label="Events as JSON">
            {json}
          </pre>
        </div>
      )}
    </Tabs>
  );
}
