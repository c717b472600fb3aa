import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { useLocation, useSearchParams } from 'react-router-dom';
import { useQuery } from 'urql';
import { findError } from '../../app/errors';
import type { TrendsInput } from '../../gql/graphql';
import { can, useMe } from '../../app/session';
import { ErrorMessage } from '../../ui/ErrorMessage';
import { SkeletonBlock } from '../../ui/Skeleton';
import type { ChartData } from './Charts';
import { DimensionsQuery, EventNamesQuery, PropertyNamesQuery, TrendsQuery } from './documents';
import { QueryBuilder, type Catalog, type Update } from './QueryBuilder';
import { readQuery, resolveRange, toInput, writeQuery, type ChartKind } from './query';
import { bucketLabel, buildTable, download, toCsv, type TableModel } from './table';
import './insights.css';

const TrendsChart = lazy(() => import('./Charts').then((m) => ({ default: m.TrendsChart })));

// What each of the API's limits (extensions.limit of QUERY_TOO_COMPLEX) is about.
const LIMITS: Record<string, string> = {
  rangeDays: 'the length of the range',
  series: 'the number of series',
  breakdownLimit: 'the number of breakdown values',
  points: 'the number of points (series × breakdown values × buckets)',
  timeMs: 'the time a query may take',
};

/** Settles once `value` has stayed the same for `ms`, so typing sends one query, not one per key. */
function useSettled<T>(value: T, key: string, ms = 300): T {
  const [settled, setSettled] = useState({ key, value });
  useEffect(() => {
    if (key === settled.key) return;
    const timer = setTimeout(() => setSettled({ key, value }), ms);
    return () => clearTimeout(timer);
  }, [key, value, ms, settled.key]);
  return settled.value;
}

function timeZonesWith(zone: string): string[] {
  const all = (Intl as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf?.('timeZone') ?? [];
  return [...new Set([zone, 'UTC', ...all])].sort((a, b) => (a === 'UTC' ? -1 : b === 'UTC' ? 1 : a.localeCompare(b)));
}

function ResultsTable({ table }: { table: TableModel }) {
  return (
    <div className="table-scroll">
      <table className="table insight-table" data-testid="insight-table">
        <caption className="visually-hidden">Insight results: a row per series, the total, then each bucket</caption>
        <thead>
          <tr>
            {table.headers.map((h, i) => (
              <th key={i} scope="col" className={i > 0 ? 'num' : undefined}>
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {table.rows.map((row, r) => (
            <tr key={r}>
              {row.map((value, i) =>
                i === 0 ? (
                  <th key={i} scope="row">
                    {value}
                  </th>
                ) : (
                  <td key={i} className="num">
                    {value}
                  </td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export default function InsightsPage() {
  const [params, setParams] = useSearchParams();
  const key = params.toString();
  const query = useMemo(() => readQuery(new URLSearchParams(key)), [key]);
  const { me } = useMe();

  // A link without a time zone would show other buckets in another browser: write this one's.
  useEffect(() => {
    if (!new URLSearchParams(key).has('tz')) setParams(writeQuery(query), { replace: true });
  }, [key, query, setParams]);

  useEffect(() => {
    document.title = 'Insights · Tracking';
  }, []);

  // Each change starts from the address bar, not from the last render: the
  // router renders in a transition, so two quick changes (pick an event, then
  // a measure) would otherwise both start from the same URL and the second
  // would undo the first. Under a memory router (tests) there is no address bar.
  const { pathname } = useLocation();
  const update: Update = useCallback(
    (change, replace = false) =>
      setParams(
        (rendered) => {
          const current = window.location.pathname === pathname ? new URLSearchParams(window.location.search) : rendered;
          return writeQuery(change(readQuery(current)));
        },
        { replace },
      ),
    [setParams, pathname],
  );

  // Presets are relative to now; the range stays put while the URL does.
  const range = useMemo(() => resolveRange(query), [query]);
  const built = useMemo(() => toInput(query), [query]);
  const inputKey = JSON.stringify(built.input);
  const input = useSettled(built.input, inputKey);
  const settledKey = JSON.stringify(input);

  const discovery = { range: { from: range.from, to: range.to }, includeBots: query.includeBots };
  const [events] = useQuery({ query: EventNamesQuery, variables: { input: discovery } });
  const [properties] = useQuery({ query: PropertyNamesQuery, variables: { input: { event: null, ...discovery } } });
  const [dimensions] = useQuery({ query: DimensionsQuery });
  const personal = can(me, 'raw_events');
  const catalog: Catalog = useMemo(() => {
    const seen = new Set<string>();
    return {
      events: events.data?.eventNames ?? [],
      properties: (properties.data?.propertyNames ?? []).filter((p) => !seen.has(p.name) && seen.add(p.name)),
      dimensions: (dimensions.data?.insightDimensions ?? [])
        .filter((d) => personal || !d.personal)
        .map((d) => ({ name: d.key, label: d.label, type: d.type })),
    };
  }, [events.data, properties.data, dimensions.data, personal]);

  const [result, reexecute] = useQuery({
    query: TrendsQuery,
    variables: { input: (input ?? built.input) as TrendsInput },
    pause: !input,
  });
  // Only the answer to the query on screen: an earlier one stays hidden while the new one loads.
  const fresh = result.operation && JSON.stringify(result.operation.variables.input) === settledKey;
  const trends = fresh ? result.data?.trends : undefined;
  const error = fresh ? result.error : undefined;
  const tooComplex = findError(error, 'QUERY_TOO_COMPLEX');
  const loading = !!input && !trends && !error;

  const table = useMemo(
    () => (trends ? buildTable(trends.series, trends.interval, trends.timeZone) : null),
    [trends],
  );
  const chart: ChartData | null = useMemo(() => {
    if (!trends?.series.length) return null;
    const rows = trends.series[0].points.map((p, b) => {
      const row: ChartData['rows'][number] = { label: bucketLabel(p.start, trends.interval, trends.timeZone) };
      trends.series.forEach((line, i) => {
        row[`l${i}`] = line.points[b]?.value ?? null;
      });
      return row;
    });
    return { rows, lines: trends.series.map((s) => s.label) };
  }, [trends]);
  const timeZones = useMemo(() => timeZonesWith(query.timeZone), [query.timeZone]);
  const empty = trends && (trends.series.length === 0 || trends.rows === 0);
  const setChart = (chartKind: ChartKind) => update((q) => ({ ...q, chart: chartKind }));

  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Insights</h1>
          <p className="muted small">
            {range.fromDay === range.toDay ? range.fromDay : `${range.fromDay} – ${range.toDay}`} · {query.timeZone}
          </p>
        </div>
      </div>
      <QueryBuilder query={query} update={update} catalog={catalog} range={range} timeZones={timeZones} />

      <section className="card stack" aria-labelledby="insight-results" aria-busy={loading || result.fetching}>
        <div className="card-head">
          <h2 id="insight-results" className="card-title">
            Results
          </h2>
          <div className="presets" role="group" aria-label="Chart type">
            <button type="button" className="button button-small" aria-pressed={query.chart === 'line'} onClick={() => setChart('line')}>
              Line chart
            </button>
            <button type="button" className="button button-small" aria-pressed={query.chart === 'bar'} onClick={() => setChart('bar')}>
              Bar chart
            </button>
            <button
              type="button"
              className="button button-small"
              disabled={!table || !!empty}
              onClick={() => table && download(`insights-${range.fromDay}-${range.toDay}.csv`, toCsv(table))}
            >
              Export CSV
            </button>
          </div>
        </div>
        {built.missing && <p className="empty">{built.missing}</p>}
        {tooComplex && (
          <ErrorMessage
            error={error!}
            title={`This query is over the limit on ${LIMITS[String(tooComplex.extensions?.limit)] ?? String(tooComplex.extensions?.limit)}: make it smaller (a shorter range, a longer interval, fewer series or breakdown values).`}
          />
        )}
        {error && !tooComplex && <ErrorMessage error={error} retry={() => reexecute({ requestPolicy: 'network-only' })} />}
        {loading && !built.missing && (
          <div role="status" aria-label="Loading results">
            <SkeletonBlock height={280} />
          </div>
        )}
        {empty && <p className="empty">No events match this query in this range.</p>}
        {trends && !empty && chart && table && (
          <>
            <div className="chart" style={{ height: 300 }} aria-hidden="true" data-testid="insight-chart">
              <Suspense fallback={<SkeletonBlock height={300} />}>
                <TrendsChart data={chart} kind={query.chart} />
              </Suspense>
            </div>
            <p className="muted small">
              {trends.rows.toLocaleString('en-US')} matching events · {Math.round(trends.engineMs)} ms
            </p>
            <ResultsTable table={table} />
          </>
        )}
      </section>
    </div>
  );
}
