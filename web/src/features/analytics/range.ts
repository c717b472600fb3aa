import { isoDay, startOfDay } from '../../ui/dates';
import type { Granularity } from '../../gql/graphql';

export type Preset = 'today' | '7d' | '30d' | 'custom';
export const PRESETS: { id: Preset; label: string }[] = [
  { id: 'today', label: 'Today' },
  { id: '7d', label: '7 days' },
  { id: '30d', label: '30 days' },
  { id: 'custom', label: 'Custom' },
];

export interface ResolvedRange {
  preset: Preset;
  from: string;
  to: string;
  /** Inclusive local days, for the date inputs. */
  fromDay: string;
  toDay: string;
  granularity: Granularity;
}

const DAY_MS = 24 * 3600 * 1000;

function parseDay(day: string | null): Date | null {
  if (!day || !/^\d{4}-\d{2}-\d{2}$/.test(day)) return null;
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y, m - 1, d);
}

/** The range of the URL (?range=today|7d|30d, or custom with from/to days), in whole local days. */
export function resolveRange(params: URLSearchParams, now: Date = new Date()): ResolvedRange {
  const raw = params.get('range');
  let preset: Preset = raw === 'today' || raw === '30d' || raw === 'custom' ? raw : '7d';
  let start: Date;
  let end: Date = startOfDay(now, 1);
  if (preset === 'custom') {
    const from = parseDay(params.get('from'));
    const to = parseDay(params.get('to'));
    if (from && to && to >= from) {
      start = from;
      end = startOfDay(to, 1);
    } else {
      preset = '7d';
      start = startOfDay(now, -6);
    }
  } else {
    start = startOfDay(now, preset === 'today' ? 0 : preset === '7d' ? -6 : -29);
  }
  const span = end.getTime() - start.getTime();
  return {
    preset,
    from: start.toISOString(),
    to: end.toISOString(),
    fromDay: isoDay(start),
    toDay: isoDay(startOfDay(end, -1)),
    granularity: span <= 2 * DAY_MS + 3600 * 1000 ? 'HOUR' : 'DAY',
  };
}
