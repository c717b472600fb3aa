import { lazy, Suspense, useState } from 'react';
import { CopyButton } from '../../ui/CopyButton';
import { DataTable, type Column } from '../../ui/DataTable';
import { eventLabel } from '../events/label';
import { formatTime, summarize } from '../../ui/format';
import { SkeletonBlock } from '../../ui/Skeleton';
import { Tabs } from '../../ui/Tabs';

// The flow graph is its own chunk: most people look at a session's table first.
const FlowGraph = lazy(() => import('./FlowGraph'));

export interface EventContextItem {
  browser?: string | null;
  browserVersion?: string | null;
  os?: string | null;
  osVersion?: string | null;
  deviceType?: string | null;
  referrer?: string | null;
  referrerDomain?: string | null;
  utmSource?: string | null;
  utmMedium?: string | null;
  utmCampaign?: string | null;
}

export interface EventItem {
  id: string;
  name: string;
  page: string;
  timestamp: string;
  metadata: unknown;
  bot?: boolean;
  context?: EventContextItem | null;
}

const major = (version?: string | null) => (version ? ` ${version.split('.')[0]}` : '');

/** "Chrome 131 · Windows 10 · from google.com · campaign newsletter / email / winter": what is known. */
export function contextSummary(c?: EventContextItem | null): string {
  if (!c) return '';
  const campaign = [c.utmSource, c.utmMedium, c.utmCampaign].filter(Boolean).join(' / ');
  return [
    c.browser && `${c.browser}${major(c.browserVersion)}`,
    c.os && `${c.os}${c.osVersion ? ` ${c.osVersion}` : ''}`,
    c.deviceType && c.deviceType !== 'desktop' && c.deviceType !== 'bot' ? c.deviceType : '',
    c.referrerDomain && `from ${c.referrerDomain}`,
    campaign && `campaign ${campaign}`,
  ]
    .filter(Boolean)
    .join(' · ');
}

const columns: Column<EventItem>[] = [
  {
    key: 'time',
    header: 'Time',
    render: (e) => <time dateTime={e.timestamp}>{formatTime(e.timestamp)}</time>,
  },
  {
    key: 'name',
    header: 'Event',
    render: (e) => (
      <>
        {eventLabel(e.name)}
        {e.bot && (
          <span className="badge" title="Sent by a known bot or crawler: left out of analytics">
            bot
          </span>
        )}
      </>
    ),
  },
  { key: 'page', header: 'Page', render: (e) => <code>{e.page}</code> },
  { key: 'meta', header: 'Properties', render: (e) => <span className="muted">{summarize(e.metadata)}</span> },
  {
    key: 'context',
    header: 'Context',
    render: (e) => (
      <span className="muted" title={e.context?.referrer ?? undefined}>
        {contextSummary(e.context)}
      </span>
    ),
  },
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
