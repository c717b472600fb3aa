import { formatDateTime, relative } from './format';

/** Relative time, the absolute one on hover and for assistive technology. */
export function RelativeTime({ iso }: { iso: string }) {
  const absolute = formatDateTime(iso);
  return (
    <time dateTime={iso} title={absolute}>
      {relative(iso)}
    </time>
  );
}
