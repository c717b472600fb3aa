import { useEffect, useRef } from 'react';
import { NavLink, Outlet, useLocation } from 'react-router-dom';
import { ErrorBoundary } from './ErrorBoundary';
import { UserMenu } from './UserMenu';

export function Shell() {
  const { pathname } = useLocation();
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
                <a href="/graphql">GraphiQL</a>
              </li>
            </ul>
          </nav>
          <UserMenu />
        </div>
      </header>
      <main id="main" className="main" tabIndex={-1} ref={main}>
        <ErrorBoundary key={pathname}>
          <Outlet />
        </ErrorBoundary>
      </main>
    </div>
  );
}
