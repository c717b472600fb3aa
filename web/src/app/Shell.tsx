import { useEffect, useRef } from 'react';
import { Navigate, NavLink, Outlet, useLocation } from 'react-router-dom';
import { apiUrl } from './config';
import { ErrorBoundary } from './ErrorBoundary';
import { noticeOf, signInPath } from './navigation';
import { can, useMe } from './session';
import { UserMenu } from './UserMenu';

export function Shell() {
  const location = useLocation();
  const { pathname } = location;
  const { me, known } = useMe();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  // After client-side navigation, start reading (and tabbing) at the new page.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }, [pathname]);
  // Pages load alongside `me` rather than after it; their queries would be
  // refused too, and the client sends those to sign-in as well.
  if (known && !me) return <Navigate to={signInPath(location)} replace />;
  const notice = noticeOf(location.state);
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="topbar-inner">
          <NavLink to="/" className="brand" aria-label="Tracking home">
            <span className="brand-dot" aria-hidden="true" />
            <span className="brand-text">Tracking</span>
          </NavLink>
          <nav aria-label="Main">
            <ul className="nav">
              <li>
                <NavLink to="/" end>
                  Customers
                </NavLink>
              </li>
              <li>
                <NavLink to="/analytics">Analytics</NavLink>
              </li>
              <li>
                <NavLink to="/insights">Insights</NavLink>
              </li>
              {can(me, 'admin') && (
                <li>
                  <NavLink to="/admin">Admin</NavLink>
                </li>
              )}
              {can(me, 'raw_events') && (
                <li>
                  {/* Served by the API (GET on its GraphQL URL), not by this app. */}
                  <a href={apiUrl()}>GraphiQL</a>
                </li>
              )}
            </ul>
          </nav>
          <UserMenu me={me} />
        </div>
      </header>
      <main id="main" className="main" tabIndex={-1} ref={main}>
        {notice && (
          <p className="notice" role="status">
            {notice}
          </p>
        )}
        <ErrorBoundary key={pathname}>
          <Outlet />
        </ErrorBoundary>
      </main>
    </div>
  );
}
