import { describe, expect, it } from 'vitest';
import {
  defaultQuery,
  parseValue,
  readQuery,
  resolveRange,
  toInput,
  writeQuery,
  zonedMidnight,
  type InsightQuery,
} from './query';

const full: InsightQuery = {
  series: [
    {
      event: 'checkout',
      math: 'SUM',
      property: 'amount',
      filters: [{ property: 'plan', operator: 'IN', value: ['pro', 'team'] }],
    },
    { event: null, math: 'UNIQUE_CUSTOMERS', property: null, filters: [] },
  ],
  filters: [
    { property: '$browser', operator: 'EQUALS', value: 'Firefox' },
    { property: 'amount', operator: 'GREATER_THAN', value: 10 },
    { property: 'coupon', operator: 'IS_SET', value: null },
  ],
  breakdown: '$customer.country',
  breakdownLimit: 5,
  interval: 'WEEK',
  preset: 'custom',
  from: '2026-11-01',
  to: '2026-11-30',
  timeZone: 'Asia/Kolkata',
  includeBots: true,
  chart: 'bar',
};

describe('the query in the URL', () => {
  it('reads back exactly what it wrote', () => {
    const url = writeQuery(full).toString();
    expect(readQuery(new URLSearchParams(url), 'UTC')).toEqual(full);
    // And writing it again gives the same link.
    expect(writeQuery(readQuery(new URLSearchParams(url), 'UTC')).toString()).toBe(url);
  });

  it('keeps typed values: the number 3 is not the string "3"', () => {
    const q = { ...defaultQuery('UTC'), filters: [{ property: 'code', operator: 'EQUALS' as const, value: '3' }] };
    const back = readQuery(writeQuery(q), 'UTC');
    expect(back.filters[0].value).toBe('3');
    const n = { ...q, filters: [{ ...q.filters[0], value: 3 }] };
    expect(readQuery(writeQuery(n), 'UTC').filters[0].value).toBe(3);
  });

  it('falls back to the defaults, the browser time zone included, on an empty or broken URL', () => {
    expect(readQuery(new URLSearchParams(''), 'Europe/Berlin')).toEqual(defaultQuery('Europe/Berlin'));
    const broken = new URLSearchParams('s=%7Bnope&f=[1]&range=1y&interval=YEAR&tz=Mars/Olympus&limit=500');
    expect(readQuery(broken, 'UTC')).toEqual(defaultQuery('UTC'));
    // A custom range without valid days is the default preset.
    expect(readQuery(new URLSearchParams('range=custom&from=2026-12-05&to=2026-12-01'), 'UTC').preset).toBe('7d');
  });

  it('always writes the time zone, so a link shows the same buckets elsewhere', () => {
    expect(writeQuery(defaultQuery('America/New_York')).get('tz')).toBe('America/New_York');
  });

  it('makes a 24 hours link hourly unless it says otherwise', () => {
    expect(readQuery(new URLSearchParams('range=24h'), 'UTC').interval).toBe('HOUR');
    expect(readQuery(new URLSearchParams('range=24h&interval=DAY'), 'UTC').interval).toBe('DAY');
  });
});

describe('filter values', () => {
  it('types values by what the property holds', () => {
    expect(parseValue('3', 'EQUALS', 'NUMBER')).toBe(3);
    expect(parseValue('3', 'EQUALS', 'STRING')).toBe('3');
    expect(parseValue('3', 'EQUALS')).toBe('3');
    expect(parseValue('true', 'EQUALS', 'BOOLEAN')).toBe(true);
    expect(parseValue('10', 'GREATER_THAN')).toBe(10);
    expect(parseValue('12', 'CONTAINS', 'NUMBER')).toBe('12');
    expect(parseValue('', 'EQUALS', 'STRING')).toBeNull();
    expect(parseValue('x', 'IS_SET')).toBeNull();
  });

  it('splits IN on commas', () => {
    expect(parseValue('pro, team ,,free', 'IN', 'STRING')).toEqual(['pro', 'team', 'free']);
    expect(parseValue('1, 2.5', 'IN', 'NUMBER')).toEqual([1, 2.5]);
  });
});

describe('the trends input', () => {
  it('sends complete filters only, and waits for a property where the math needs one', () => {
    const q = {
      ...full,
      series: [{ ...full.series[0], filters: [...full.series[0].filters, { property: '', operator: 'EQUALS' as const, value: 'x' }] }],
    };
    const { input } = toInput(q);
    expect(input?.series[0].filters).toEqual([{ property: 'plan', operator: 'IN', value: ['pro', 'team'] }]);
    expect(input?.filters).toHaveLength(3);
    expect(input).toMatchObject({ breakdown: '$customer.country', breakdownLimit: 5, interval: 'WEEK', includeBots: true });
    const pending = toInput({ ...full, series: [{ ...full.series[0], property: null }] });
    expect(pending.input).toBeNull();
    expect(pending.missing).toMatch(/series 1/);
  });

  it('covers whole days of the query time zone', () => {
    const r = resolveRange(full);
    expect(r.from).toBe('2026-10-31T18:30:00.000Z');
    expect(r.to).toBe('2026-11-30T18:30:00.000Z');
    expect([r.fromDay, r.toDay]).toEqual(['2026-11-01', '2026-11-30']);
  });

  it('finds midnight across a change of offset', () => {
    // Berlin leaves summer time on 2026-10-25: that day has 25 hours.
    const start = zonedMidnight('2026-10-25', 'Europe/Berlin');
    const end = zonedMidnight('2026-10-25', 'Europe/Berlin', 1);
    expect(new Date(start).toISOString()).toBe('2026-10-24T22:00:00.000Z');
    expect((end - start) / 3600_000).toBe(25);
  });

  it('ends presets today, in the zone', () => {
    const now = Date.parse('2026-12-03T20:00:00Z'); // already the 4th in Tokyo
    const tokyo = resolveRange({ ...defaultQuery('Asia/Tokyo'), preset: '7d' }, now);
    expect([tokyo.fromDay, tokyo.toDay]).toEqual(['2026-11-28', '2026-12-04']);
    const day = resolveRange({ ...defaultQuery('UTC'), preset: '24h' }, Date.parse('2026-12-03T20:15:00Z'));
    expect([day.from, day.to]).toEqual(['2026-12-02T21:00:00.000Z', '2026-12-03T21:00:00.000Z']);
    const india = resolveRange({ ...defaultQuery('Asia/Kolkata'), preset: '24h' }, Date.parse('2026-12-03T20:15:00Z'));
    expect(india.to).toBe('2026-12-03T20:30:00.000Z');
  });
});
