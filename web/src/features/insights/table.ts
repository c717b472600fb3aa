import type { Interval } from '../../gql/graphql';
import { zoneParts } from './query';

export interface Line {
  label: string;
  total?: number | null;
  points: { start: string; value?: number | null }[];
}

/** The results table, cell by cell as shown; the CSV export writes exactly these cells. */
export interface TableModel {
  headers: string[];
  rows: string[][];
}

/** A bucket's start on the zone's clock, as precise as the interval. */
export function bucketLabel(start: string, interval: Interval, timeZone: string): string {
  const p = zoneParts(Date.parse(start), timeZone);
  const two = (n: number) => String(n).padStart(2, '0');
  const month = `${p.y}-${two(p.m)}`;
  if (interval === 'MONTH') return month;
  const day = `${month}-${two(p.d)}`;
  return interval === 'HOUR' ? `${day} ${two(p.h)}:${two(p.min)}` : day;
}

/** A value with at most two decimals and no grouping, so that the CSV reads back as numbers. */
export function cell(value: number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const rounded = Math.round(value * 100) / 100;
  return String(Object.is(rounded, -0) ? 0 : rounded);
}

/** One row per answer series (series x breakdown value), the total, then each bucket. */
export function buildTable(lines: Line[], interval: Interval, timeZone: string): TableModel {
  const buckets = lines[0]?.points.map((p) => bucketLabel(p.start, interval, timeZone)) ?? [];
  return {
    headers: ['Series', 'Total', ...buckets],
    rows: lines.map((line) => [line.label, cell(line.total), ...line.points.map((p) => cell(p.value))]),
  };
}

// A text cell a spreadsheet would run as a formula (breakdown values come from
// tracked websites, so anyone can choose them). Numbers, negative ones
// included, are left alone.
const FORMULA = /^[=+\-@\t\r]/;
const NUMBER = /^-?\d+(\.\d+)?$/;

function csvCell(value: string): string {
  const safe = FORMULA.test(value) && !NUMBER.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) || safe !== safe.trim() ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** RFC 4180: comma-separated, CRLF line ends, fields with a quote, comma or line break quoted. */
export function toCsv(table: TableModel): string {
  return [table.headers, ...table.rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** Saves `text` as a file, from the page itself: nothing goes back to the server. */
export function download(name: string, text: string, type = 'text/csv;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  // The download has started from the object URL by now; a tick later it can go.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
