import { describe, expect, it } from 'vitest';
import { bucketLabel, buildTable, cell, toCsv } from './table';

describe('the results table', () => {
  it('has a row per line: the total, then each bucket on the zone clock', () => {
    const lines = [
      {
        label: 'checkout · pro',
        total: 1234.5678,
        points: [
          { start: '2026-12-01T18:30:00Z', value: 1000 },
          { start: '2026-12-02T18:30:00Z', value: 234.5678 },
        ],
      },
      {
        label: 'checkout · (none)',
        total: null,
        points: [
          { start: '2026-12-01T18:30:00Z', value: null },
          { start: '2026-12-02T18:30:00Z', value: -0.001 },
        ],
      },
    ];
    expect(buildTable(lines, 'DAY', 'Asia/Kolkata')).toEqual({
      headers: ['Series', 'Total', '2026-12-02', '2026-12-03'],
      rows: [
        ['checkout · pro', '1234.57', '1000', '234.57'],
        ['checkout · (none)', '', '', '0'],
      ],
    });
  });

  it('labels buckets as precisely as the interval', () => {
    expect(bucketLabel('2026-12-01T13:00:00Z', 'HOUR', 'Europe/Berlin')).toBe('2026-12-01 14:00');
    expect(bucketLabel('2026-11-30T23:00:00Z', 'MONTH', 'Europe/Berlin')).toBe('2026-12');
    expect(cell(undefined)).toBe('');
  });
});

describe('CSV', () => {
  it('quotes what needs quoting, with CRLF line ends', () => {
    const csv = toCsv({
      headers: ['Series', 'Total'],
      rows: [
        ['plain', '1'],
        ['a, b', '2'],
        ['say "hi"', '3'],
        ['two\nlines', '4'],
        [' padded ', '-5'],
      ],
    });
    expect(csv).toBe('Series,Total\r\nplain,1\r\n"a, b",2\r\n"say ""hi""",3\r\n"two\nlines",4\r\n" padded ",-5\r\n');
  });

  it('keeps a spreadsheet from running a breakdown value as a formula', () => {
    const csv = toCsv({ headers: ['Series'], rows: [['=HYPERLINK("x")'], ['+1+1'], ['@SUM(A1)'], ['-12.5']] });
    expect(csv).toBe('Series\r\n"\'=HYPERLINK(""x"")"\r\n\'+1+1\r\n\'@SUM(A1)\r\n-12.5\r\n');
  });
});
