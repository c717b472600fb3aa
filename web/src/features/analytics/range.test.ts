import { describe, expect, it } from 'vitest';
import { flag } from '../customers/flag';
import { resolveRange } from './range';

const now = new Date(2026, 10, 29, 15, 30); // local time

describe('resolveRange', () => {
  it('defaults to the last 7 whole days, by day', () => {
    const r = resolveRange(new URLSearchParams(''), now);
    expect(r.preset).toBe('7d');
    expect(r.from).toBe(new Date(2026, 10, 23).toISOString());
    expect(r.to).toBe(new Date(2026, 10, 30).toISOString());
    expect(r.granularity).toBe('DAY');
  });

  it('uses hours for today and for custom ranges of up to two days', () => {
    expect(resolveRange(new URLSearchParams('range=today'), now).granularity).toBe('HOUR');
    const custom = resolveRange(new URLSearchParams('range=custom&from=2026-11-01&to=2026-11-02'), now);
    expect(custom).toMatchObject({ preset: 'custom', fromDay: '2026-11-01', toDay: '2026-11-02', granularity: 'HOUR' });
    expect(custom.to).toBe(new Date(2026, 10, 3).toISOString());
  });

  it('falls back to 7 days for a broken custom range', () => {
    expect(resolveRange(new URLSearchParams('range=custom&from=2026-11-05&to=2026-11-01'), now).preset).toBe('7d');
  });
});

describe('flag', () => {
  it('turns an ISO code into a flag emoji', () => {
    expect(flag('de')).toBe('🇩🇪');
    expect(flag(null)).toBe('');
    expect(flag('XYZ')).toBe('');
  });
});
