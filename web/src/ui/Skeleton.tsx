export function SkeletonRows({ rows = 8, columns = 4 }: { rows?: number; columns?: number }) {
  return (
    <>
      {Array.from({ length: rows }, (_, r) => (
        <tr key={r} className="skeleton-row" aria-hidden="true">
          {Array.from({ length: columns }, (_, c) => (
            <td key={c}>
              <span className="skeleton" style={{ width: `${50 + ((r * 7 + c * 13) % 40)}%` }} />
            </td>
          ))}
        </tr>
      ))}
    </>
  );
}

export function SkeletonBlock({ height = 120 }: { height?: number }) {
  return <div className="skeleton skeleton-block" style={{ height }} aria-hidden="true" />;
}

export function PageSkeleton() {
  return (
    <div className="stack" role="status" aria-label="Loading">
      <SkeletonBlock height={32} />
      <SkeletonBlock height={160} />
      <SkeletonBlock height={240} />
    </div>
  );
}
