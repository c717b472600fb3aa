/** Local midnight of `date` plus `days`. */
export function startOfDay(date: Date, days = 0): Date {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate() + days);
}

/** The last `days` whole local days, today included: [from, to). */
export function lastDays(days: number, now: Date = new Date()): { from: string; to: string } {
  return {
    from: startOfDay(now, 1 - days).toISOString(),
    to: startOfDay(now, 1).toISOString(),
  };
}

/** The browser's IANA time zone. */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** Local YYYY-MM-DD. */
export function isoDay(date: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}`;
}
