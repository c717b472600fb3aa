import { useState } from 'react';
import { Link } from 'react-router-dom';
import { readRecent } from './recent';

export function RecentCustomers() {
  const [recent] = useState(readRecent);
  return (
    <aside className="card" aria-labelledby="recent-title">
      <h2 id="recent-title" className="card-title">
        Recently viewed
      </h2>
      {recent.length === 0 ? (
        <p className="muted small">Customers you open appear here.</p>
      ) : (
        <ul className="recent">
          {recent.map((c) => (
            <li key={c.id}>
              <Link to={`/customers/${encodeURIComponent(c.id)}`}>
                {c.name}
                {c.email && <small>{c.email}</small>}
              </Link>
            </li>
          ))}
        </ul>
      )}
    </aside>
  );
}
