import type { FilterOperator, InsightFilterInput, Interval, PropertyType, TrendMath, TrendsInput } from '../../gql/graphql';
import { browserTimeZone } from '../../ui/dates';

/** A filter's value as the API takes it: typed, a list for IN, null for IS_SET / IS_NOT_SET. */
export type Scalar = string | number | boolean;
export type FilterValue = Scalar | Scalar[] | null;

export interface FilterState {
  property: string;
  operator: FilterOperator;
  value: FilterValue;
}

export interface SeriesState {
  /** null: every event. */
  event: string | null;
  math: TrendMath;
  property: string | null;
  filters: FilterState[];
}

export type Preset = '24h' | '7d' | '30d' | '90d' | 'custom';
export type ChartKind = 'line' | 'bar';

/** The whole insight as it lives in the URL's query string. */
export interface InsightQuery {
  series: SeriesState[];
  filters: FilterState[];
  breakdown: string | null;
  breakdownLimit: number;
  interval: Interval;
  preset: Preset;
  /** Inclusive days (YYYY-MM-DD) in timeZone, for the custom range; '' otherwise. */
  from: string;
  to: string;
  timeZone: string;
  includeBots: boolean;
  chart: ChartKind;
}

export const MATHS: { id: TrendMath; label: string }[] = [
  { id: 'COUNT', label: 'Count of events' },
  { id: 'UNIQUE_CUSTOMERS', label: 'Unique customers' },
  { id: 'SUM', label: 'Sum' },
  { id: 'AVERAGE', label: 'Average' },
  { id: 'MIN', label: 'Minimum' },
  { id: 'MAX', label: 'Maximum' },
  { id: 'MEDIAN', label: 'Median' },
  { id: 'P90', label: '90th percentile' },
];
export const OPERATORS: { id: FilterOperator; label: string }[] = [
  { id: 'EQUALS', label: 'equals' },
  { id: 'NOT_EQUALS', label: 'does not equal' },
  { id: 'IN', label: 'is one of' },
  { id: 'CONTAINS', label: 'contains' },
  { id: 'GREATER_THAN', label: 'greater than' },
  { id: 'LESS_THAN', label: 'less than' },
  { id: 'IS_SET', label: 'is set' },
  { id: 'IS_NOT_SET', label: 'is not set' },
];
export const INTERVALS: { id: Interval; label: string }[] = [
  { id: 'HOUR', label: 'Hour' },
  { id: 'DAY', label: 'Day' },
  { id: 'WEEK', label: 'Week' },
  { id: 'MONTH', label: 'Month' },
];
export const PRESETS: { id: Preset; label: string; days: number }[] = [
  { id: '24h', label: '24 hours', days: 1 },
  { id: '7d', label: '7 days', days: 7 },
  { id: '30d', label: '30 days', days: 30 },
  { id: '90d', label: '90 days', days: 90 },
  { id: 'custom', label: 'Custom', days: 0 },
];
export const MAX_BREAKDOWN = 50;

const MATH_IDS = MATHS.map((m) => m.id);
const OPERATOR_IDS = OPERATORS.map((o) => o.id);
const INTERVAL_IDS = INTERVALS.map((i) => i.id);
const PRESET_IDS = PRESETS.map((p) => p.id);

/** The maths that aggregate a numeric property. */
export const needsProperty = (math: TrendMath) => math !== 'COUNT' && math !== 'UNIQUE_CUSTOMERS';
export const needsValue = (operator: FilterOperator) => operator !== 'IS_SET' && operator !== 'IS_NOT_SET';

export const newSeries = (): SeriesState => ({ event: null, math: 'COUNT', property: null, filters: [] });
export const newFilter = (): FilterState => ({ property: '', operator: 'EQUALS', value: null });

export function defaultQuery(timeZone: string = browserTimeZone()): InsightQuery {
  return {
    series: [newSeries()],
    filters: [],
    breakdown: null,
    breakdownLimit: 10,
    interval: 'DAY',
    preset: '7d',
    from: '',
    to: '',
    timeZone,
    includeBots: false,
    chart: 'line',
  };
}

// ---- URL <-> query. Series and filters are small JSON values (s, f); the rest
// are plain parameters. Defaults are left out, except the time zone: it is the
// browser's, and a link must show the same buckets in another one.

const isScalar = (v: unknown): v is Scalar => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean';

function readFilter(raw: unknown): FilterState | null {
  if (!Array.isArray(raw) || typeof raw[0] !== 'string') return null;
  const operator = raw[1] as FilterOperator;
  if (!OPERATOR_IDS.includes(operator)) return null;
  const value = raw[2];
  const typed: FilterValue = Array.isArray(value) ? value.filter(isScalar) : isScalar(value) ? value : null;
  return { property: raw[0], operator, value: needsValue(operator) ? typed : null };
}

const writeFilter = (f: FilterState) => (f.value === null ? [f.property, f.operator] : [f.property, f.operator, f.value]);

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function readSeries(text: string): SeriesState | null {
  const raw = parseJson(text) as Record<string, unknown> | undefined;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return null;
  const math = MATH_IDS.includes(raw.m as TrendMath) ? (raw.m as TrendMath) : 'COUNT';
  return {
    event: typeof raw.e === 'string' ? raw.e : null,
    math,
    property: typeof raw.p === 'string' && raw.p ? raw.p : null,
    filters: Array.isArray(raw.f) ? raw.f.map(readFilter).filter((f): f is FilterState => f !== null) : [],
  };
}

function writeSeries(s: SeriesState): string {
  const raw: Record<string, unknown> = {};
  if (s.event !== null) raw.e = s.event;
  if (s.math !== 'COUNT') raw.m = s.math;
  if (s.property !== null) raw.p = s.property;
  if (s.filters.length) raw.f = s.filters.map(writeFilter);
  return JSON.stringify(raw);
}

export function validTimeZone(zone: string | null): zone is string {
  if (!zone) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

export function readQuery(params: URLSearchParams, fallbackZone: string = browserTimeZone()): InsightQuery {
  const base = defaultQuery(validTimeZone(fallbackZone) ? fallbackZone : 'UTC');
  const series = params
    .getAll('s')
    .map(readSeries)
    .filter((s): s is SeriesState => s !== null);
  const filters = params
    .getAll('f')
    .map((f) => readFilter(parseJson(f)))
    .filter((f): f is FilterState => f !== null);
  let preset = params.get('range') as Preset;
  if (!PRESET_IDS.includes(preset)) preset = base.preset;
  let from = params.get('from') ?? '';
  let to = params.get('to') ?? '';
  if (preset !== 'custom' || !DAY_RE.test(from) || !DAY_RE.test(to) || to < from) {
    if (preset === 'custom') preset = base.preset;
    from = '';
    to = '';
  }
  const interval = params.get('interval') as Interval;
  const limit = Number(params.get('limit'));
  const zone = params.get('tz');
  return {
    series: series.length ? series : base.series,
    filters,
    breakdown: params.get('by') || null,
    breakdownLimit: Number.isInteger(limit) && limit >= 1 && limit <= MAX_BREAKDOWN ? limit : base.breakdownLimit,
    interval: INTERVAL_IDS.includes(interval) ? interval : preset === '24h' ? 'HOUR' : 'DAY',
    preset,
    from,
    to,
    timeZone: validTimeZone(zone) ? zone : base.timeZone,
    includeBots: params.get('bots') === '1',
    chart: params.get('chart') === 'bar' ? 'bar' : 'line',
  };
}

export function writeQuery(q: InsightQuery): URLSearchParams {
  const p = new URLSearchParams();
  for (const s of q.series) p.append('s', writeSeries(s));
  for (const f of q.filters) p.append('f', JSON.stringify(writeFilter(f)));
  if (q.breakdown) {
    p.set('by', q.breakdown);
    if (q.breakdownLimit !== 10) p.set('limit', String(q.breakdownLimit));
  }
  p.set('interval', q.interval);
  p.set('range', q.preset);
  if (q.preset === 'custom') {
    p.set('from', q.from);
    p.set('to', q.to);
  }
  p.set('tz', q.timeZone);
  if (q.includeBots) p.set('bots', '1');
  if (q.chart === 'bar') p.set('chart', 'bar');
  return p;
}

// ---- Filter values: typed from what the property holds.

/** A value typed by the property's type: a NUMBER property compares numbers, not strings. */
function scalar(text: string, type: PropertyType | undefined, numeric: boolean): Scalar {
  const trimmed = text.trim();
  if ((numeric || type === 'NUMBER') && trimmed !== '' && Number.isFinite(Number(trimmed))) return Number(trimmed);
  if (type === 'BOOLEAN' && (trimmed === 'true' || trimmed === 'false')) return trimmed === 'true';
  return text;
}

/** What the value input says, as the API takes it; IN takes comma-separated values. */
export function parseValue(text: string, operator: FilterOperator, type?: PropertyType): FilterValue {
  if (!needsValue(operator)) return null;
  if (operator === 'IN') {
    return text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s) => scalar(s, type, false));
  }
  if (text === '') return null;
  if (operator === 'CONTAINS') return text;
  return scalar(text, type, operator === 'GREATER_THAN' || operator === 'LESS_THAN');
}

export function formatValue(value: FilterValue): string {
  if (value === null) return '';
  if (Array.isArray(value)) return value.map(String).join(', ');
  return String(value);
}

/** A filter that says enough to send: a property, and a value where the operator takes one. */
export function complete(f: FilterState): boolean {
  if (!f.property) return false;
  if (!needsValue(f.operator)) return true;
  return Array.isArray(f.value) ? f.value.length > 0 : f.value !== null;
}

// ---- Range: days and hours of the query's time zone.

/** The zone's clock at `instant`: year, month, day, hour, minute, second. */
export function zoneParts(instant: number, timeZone: string) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return { y: get('year'), m: get('month'), d: get('day'), h: get('hour'), min: get('minute'), s: get('second') };
}

/** How far the zone's clock is ahead of UTC at `instant`, in ms. */
function offset(instant: number, timeZone: string): number {
  const p = zoneParts(instant, timeZone);
  return Date.UTC(p.y, p.m - 1, p.d, p.h, p.min, p.s) - Math.floor(instant / 1000) * 1000;
}

/** The instant of midnight starting `day` (YYYY-MM-DD) in the zone, `plus` days later. */
export function zonedMidnight(day: string, timeZone: string, plus = 0): number {
  const [y, m, d] = day.split('-').map(Number);
  const wall = Date.UTC(y, m - 1, d + plus);
  // The offset at the wall time is right except across a change of offset; a second look settles it.
  const first = wall - offset(wall, timeZone);
  return wall - offset(first, timeZone);
}

/** The zone's calendar day of `instant`. */
export function zonedDay(instant: number, timeZone: string): string {
  const p = zoneParts(instant, timeZone);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${p.y}-${pad(p.m)}-${pad(p.d)}`;
}

const HOUR_MS = 3600 * 1000;

/**
 * [from, to) of the query. Presets of days are whole days of the zone, today
 * included; 24 hours ends at the zone's next full hour (so the answer stays the
 * same for the hour, and the cache can serve it).
 */
export function resolveRange(q: InsightQuery, now: number = Date.now()): { from: string; to: string; fromDay: string; toDay: string } {
  let from: number;
  let to: number;
  if (q.preset === '24h') {
    // The next full hour of the zone's clock (India's hours start at :30 UTC).
    const ahead = offset(now, q.timeZone);
    to = Math.floor((now + ahead) / HOUR_MS) * HOUR_MS + HOUR_MS - ahead;
    from = to - 24 * HOUR_MS;
  } else if (q.preset === 'custom' && q.from && q.to) {
    from = zonedMidnight(q.from, q.timeZone);
    to = zonedMidnight(q.to, q.timeZone, 1);
  } else {
    const days = PRESETS.find((p) => p.id === q.preset)?.days ?? 7;
    const today = zonedDay(now, q.timeZone);
    from = zonedMidnight(today, q.timeZone, 1 - days);
    to = zonedMidnight(today, q.timeZone, 1);
  }
  return {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    fromDay: zonedDay(from, q.timeZone),
    toDay: zonedDay(to - 1, q.timeZone),
  };
}

const filterInput = (f: FilterState): InsightFilterInput => ({
  property: f.property,
  operator: f.operator,
  value: needsValue(f.operator) ? f.value : null,
});

/** The trends input of a query; null with the reason while it cannot be sent. */
export function toInput(q: InsightQuery, now?: number): { input: TrendsInput; missing: null } | { input: null; missing: string } {
  const pending = q.series.findIndex((s) => needsProperty(s.math) && !s.property);
  if (pending >= 0) return { input: null, missing: `Pick a numeric property for series ${pending + 1}.` };
  const range = resolveRange(q, now);
  return {
    missing: null,
    input: {
      series: q.series.map((s) => ({
        event: s.event,
        math: s.math,
        property: needsProperty(s.math) ? s.property : null,
        filters: s.filters.filter(complete).map(filterInput),
      })),
      range: { from: range.from, to: range.to },
      interval: q.interval,
      timeZone: q.timeZone,
      breakdown: q.breakdown,
      breakdownLimit: q.breakdownLimit,
      filters: q.filters.filter(complete).map(filterInput),
      includeBots: q.includeBots,
    },
  };
}
