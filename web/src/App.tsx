import { lazy, Suspense, type ReactNode } from 'react';
import { BrowserRouter, Route, Routes } from 'react-router-dom';
import { ErrorBoundary } from './app/ErrorBoundary';
import { NotFound } from './app/NotFound';
import { SessionProvider } from './app/session';
import { Shell } from './app/Shell';
import { SignInPage } from './app/SignInPage';
import { CustomersPage } from './features/customers/CustomersPage';
import { PageSkeleton } from './ui/Skeleton';

// The route table: which feature answers which path, the one module (with
// main.tsx) that imports features. The first screens (customers, sign-in) are eager; the heavier views, and
// the admin pages few people open, are separate chunks.
const CustomerPage = lazy(() => import('./features/customer/CustomerPage'));
const AnalyticsPage = lazy(() => import('./features/analytics/AnalyticsPage'));
const InsightsPage = lazy(() => import('./features/insights/InsightsPage'));
const AdminPage = lazy(() => import('./features/admin/AdminPage'));

const later = (page: ReactNode) => <Suspense fallback={<PageSkeleton />}>{page}</Suspense>;

export function App() {
  return (
    <BrowserRouter future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
      <SessionProvider>
        <ErrorBoundary>
          <Routes>
            <Route path="signin" element={<SignInPage />} />
            <Route element={<Shell />}>
              <Route index element={<CustomersPage />} />
              <Route path="customers/:id" element={later(<CustomerPage />)} />
              <Route path="analytics" element={later(<AnalyticsPage />)} />
              <Route path="insights" element={later(<InsightsPage />)} />
              <Route path="admin/*" element={later(<AdminPage />)} />
              <Route path="*" element={<NotFound />} />
            </Route>
          </Routes>
        </ErrorBoundary>
      </SessionProvider>
    </BrowserRouter>
  );
}
