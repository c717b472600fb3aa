import { Link } from 'react-router-dom';

export function NotFound({ what = 'page' }: { what?: string }) {
  return (
    <div className="panel not-found" role="status">
      <h1>Not found</h1>
      <p className="muted">This {what} does not exist, or no longer does.</p>
      <Link className="button" to="/">
        Back to customers
      </Link>
    </div>
  );
}
