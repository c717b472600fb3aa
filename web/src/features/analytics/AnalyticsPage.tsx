import { lazy, useEffect, useMemo } from 'react';
import { useSearchParams } from 'react-router-dom';
import { useQuery } from 'urql';
import { graphql } from '../../gql';
import { ChartCard } from '../../ui/ChartCard';
import { COLORS } from '../../ui/chartTheme';
import { browserTimeZone } from '../../ui/dates';
import { ErrorMessage } from '../../ui/ErrorMessage';
import { flag } from '../customers/flag';
import { eventLabel } from '../events/label';
import { decimal, duration, formatDay, formatHour, number, percent } from '../../ui/format';
import { Kpi } from '../../ui/Kpi';
import { PageSkeleton } from '../../ui/Skeleton';
import { PRESETS, resolveRange, type Preset } from './range';

const TimeSeriesChart = lazy(() => import('./Charts').then((m) => ({ default: m.TimeSeriesChart })));
const BarsChart = lazy(() => import('./Charts').then((m) => ({ default: m.BarsChart })));

export const AnalyticsQuery = graphql(`
  query Analytics($range: AnalyticsRangeInput!, $timeZone: String!, $granularity: Granularity!) {
    analytics(range: $range, timeZone: $timeZone, granularity: $granularity) {
      activeCustomers
      sessions
      events
      averageSessionDurationSeconds
      conversionRate
      timeSeries {
        start
        sessions
        events
        pageViews
        checkouts
      }
      eventTypes {
        type
        count
        averageTimeSpentSeconds
      }
      pages(first: 10) {
        page
        views
        averageTimeSpentSeconds
      }
      funnel {
        step
        sessions
        share
      }
      countries {
        key
        sessions
        share
      }
      devices {
        key
        sessions
        share
      }
      notes
    }
  }
`);

const shareColumns = (header: string, label: (key: string | null | undefined) => string) => [
  { key: 'k', header, render: (r: { key?: string | null }) => label(r.key) },
  { key: 's', header: 'Sessions', render: (r: { sessions: number }) => number(r.sessions), numeric: true },
  { key: 'p', header: 'Share', render: (r: { share?: number | null }) => percent(r.share), numeric: true },
];

export default function AnalyticsPage() {
  const [params, setParams] = useSearchParams();
  const key = params.toString();
  const range = useMemo(() => resolveRange(new URLSearchParams(key)), [key]);
  const timeZone = useMemo(browserTimeZone, []);
  const [result, reexecute] = useQuery({
    query: AnalyticsQuery,
    variables: { range: { from: range.from, to: range.to }, timeZone, granularity: range.granularity },
    // Today's figures move: show the cached ones at once, then the fresh ones.
    requestPolicy: 'cache-and-network',
  });

  useEffect(() => {
    document.title = 'Analytics · Tracking';
  }, []);

  const setPreset = (preset: Preset) =>
    setParams((prev) => {
      const next = new URLSearchParams(prev);
      next.set('range', preset);
      if (preset === 'custom') {
        next.set('from', range.fromDay);
        next.set('to', range.toDay);
      } else {
        next.delete('from');
        next.delete('to');
      }
      return next;
    });
  const setDay = (name: 'from' | 'to', value: string) =>
    setParams((prev) => {
      const next = new URLSearchParams(prev);
      next.set('range', 'custom');
      next.set('from', name === 'from' ? value : range.fromDay);
      next.set('to', name === 'to' ? value : range.toDay);
      return next;
    });

  const a = result.data?.analytics;
  const hourly = range.granularity === 'HOUR';
  const series = (a?.timeSeries ?? []).map((p) => ({
    ...p,
    label: hourly ? formatHour(p.start) : formatDay(p.start),
  }));
  const types = (a?.eventTypes ?? []).map((t) => ({ ...t, label: eventLabel(t.type) }));
  const pages = (a?.pages ?? []).map((p) => ({ ...p, label: p.page }));
  const funnel = (a?.funnel ?? []).map((f) => ({ ...f, label: eventLabel(f.step) }));
  const countries = (a?.countries ?? []).slice(0, 10).map((c) => ({ ...c, label: c.key ?? 'unknown' }));
  const devices = (a?.devices ?? []).map((d) => ({ ...d, label: d.key ?? 'unknown' }));

  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Analytics</h1>
          <p className="muted small">
            {range.fromDay === range.toDay ? range.fromDay : `${range.fromDay} – ${range.toDay}`} · {timeZone}
          </p>
        </div>
        <div className="presets" role="group" aria-label="Date range">
          {PRESETS.map((p) => (
            <button
              key={p.id}
              type="button"
              className="button"
              aria-pressed={range.preset === p.id}
              onClick={() => setPreset(p.id)}
            >
              {p.label}
            </button>
          ))}
          {range.preset === 'custom' && (
            <>
              <label className="field">
                From
                <input type="date" value={range.fromDay} max={range.toDay} onChange={(e) => e.target.value && setDay('from', e.target.value)} />
              </label>
              <label className="field">
                To
                <input type="date" value={range.toDay} min={range.fromDay} onChange={(e) => e.target.value && setDay('to', e.target.value)} />
              </label>
            </>
          )}
        </div>
      </div>
      {result.error && <ErrorMessage error={result.error} retry={() => reexecute({ requestPolicy: 'network-only' })} />}
      {!a && !result.error && <PageSkeleton />}
      {a && (
        <>
          <dl className="kpis" data-testid="kpis" aria-busy={result.fetching}>
            <Kpi label="Active customers" value={number(a.activeCustomers)} />
            <Kpi label="Sessions" value={number(a.sessions)} />
            <Kpi label="Avg. session" value={duration(a.averageSessionDurationSeconds)} />
            <Kpi label="Conversion rate" value={percent(a.conversionRate)} />
          </dl>
          {a.notes.length > 0 && (
            <ul className="muted small">
              {a.notes.map((n) => (
                <li key={n}>{n}</li>
              ))}
            </ul>
          )}
          <ChartCard
            title="Traffic"
            description={hourly ? 'Per hour' : 'Per day'}
            chart={<TimeSeriesChart data={series} />}
            rows={series}
            rowKey={(r) => r.start}
            height={260}
            columns={[
              { key: 't', header: hourly ? 'Hour' : 'Day', render: (r) => r.label },
              { key: 's', header: 'Sessions', render: (r) => number(r.sessions), numeric: true },
              { key: 'e', header: 'Events', render: (r) => number(r.events), numeric: true },
              { key: 'p', header: 'Page views', render: (r) => number(r.pageViews), numeric: true },
              { key: 'c', header: 'Checkouts', render: (r) => number(r.checkouts), numeric: true },
            ]}
          />
          <div className="grid-2">
            <ChartCard
              title="Events by type"
              chart={<BarsChart data={types} dataKey="count" name="Events" />}
              rows={types}
              rowKey={(r) => r.type}
              columns={[
                { key: 't', header: 'Type', render: (r) => r.label },
                { key: 'c', header: 'Events', render: (r) => number(r.count), numeric: true },
                { key: 'a', header: 'Avg. time', render: (r) => duration(r.averageTimeSpentSeconds), numeric: true },
              ]}
            />
            <ChartCard
              title="Funnel"
              description="Sessions reaching each step (and all before)"
              chart={<BarsChart data={funnel} dataKey="sessions" name="Sessions" color={COLORS[1]} />}
              rows={funnel}
              rowKey={(r) => r.step}
              columns={[
                { key: 's', header: 'Step', render: (r) => r.label },
                { key: 'n', header: 'Sessions', render: (r) => number(r.sessions), numeric: true },
                { key: 'p', header: 'Share', render: (r) => percent(r.share), numeric: true },
              ]}
            />
            <ChartCard
              title="Top pages"
              description="Page views, with average time on page in the table"
              chart={<BarsChart data={pages} dataKey="views" name="Views" layout="vertical" color={COLORS[4]} />}
              rows={pages}
              rowKey={(r) => r.page}
              height={300}
              columns={[
                { key: 'p', header: 'Page', render: (r) => <code>{r.page}</code> },
                { key: 'v', header: 'Views', render: (r) => number(r.views), numeric: true },
                { key: 't', header: 'Avg. time', render: (r) => duration(r.averageTimeSpentSeconds), numeric: true },
              ]}
            />
            <ChartCard
              title="Countries"
              chart={<BarsChart data={countries} dataKey="sessions" name="Sessions" layout="vertical" color={COLORS[2]} />}
              rows={countries}
              rowKey={(r) => r.label}
              height={300}
              columns={shareColumns('Country', (k) => (k ? `${flag(k)} ${k}` : 'unknown'))}
            />
            <ChartCard
              title="Devices"
              chart={<BarsChart data={devices} dataKey="sessions" name="Sessions" color={COLORS[3]} />}
              rows={devices}
              rowKey={(r) => r.label}
              columns={shareColumns('Device', (k) => k ?? 'unknown')}
            />
            <section className="card" aria-label="Totals">
              <h2 className="card-title">Totals</h2>
              <dl className="kpis" style={{ marginTop: '0.75rem' }}>
                <Kpi label="Events" value={number(a.events)} />
                <Kpi label="Events per session" value={a.sessions ? decimal(a.events / a.sessions) : '—'} />
              </dl>
            </section>
          </div>
        </>
      )}
    </div>
  );
}
