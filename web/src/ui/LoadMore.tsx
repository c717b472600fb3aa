import { useEffect, useRef } from 'react';

/**
 * Infinite scroll: loads the next page when this comes into view
 * (IntersectionObserver), with a "Load more" button for keyboards, old
 * browsers and anyone who prefers to click.
 */
export function LoadMore({
  hasMore,
  loading,
  onLoad,
  label = 'Load more',
}: {
  hasMore: boolean;
  loading: boolean;
  onLoad: () => void;
  label?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const load = useRef(onLoad);
  load.current = onLoad;
  useEffect(() => {
    const el = ref.current;
    if (!el || !hasMore || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) load.current();
      },
      { rootMargin: '240px' },
    );
    observer.observe(el);
    return () => observer.disconnect();
  }, [hasMore, loading]);
  if (!hasMore) return null;
  return (
    <div ref={ref} className="load-more">
      <button type="button" className="button" onClick={onLoad} disabled={loading}>
        {loading ? 'Loading…' : label}
      </button>
    </div>
  );
}
