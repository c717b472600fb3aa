import { lazy, Suspense, useMemo } from 'react';
import { BrowserRouter, Route, Routes } from 'react-router-dom';
import { Provider } from 'urql';
import { makeClient } from './client';
import { ErrorBoundary } from './ErrorBoundary';
import { NotFound } from './NotFound';
import { Shell } from './Shell';
import { CustomersPage } from '../features/customers/CustomersPage';
import { PageSkeleton } from '../ui/Skeleton';

// The first screen is eager; the heavier views are separate chunks.
const CustomerPage = lazy(() => import('../features/customer/CustomerPage'));
const AnalyticsPage = lazy(() => import('../features/analytics/AnalyticsPage'));

export function App() {
  const client = useMemo(() => makeClient(), []);
  return (
    <Provider value={client}>
      <BrowserRouter future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
        <ErrorBoundary>
          <Routes>
            <Route element={<Shell />}>
              <Route index element={<CustomersPage />} />
              <Route
                path="customers/:id"
                element={
                  <Suspense fallback={<PageSkeleton />}>
                    <CustomerPage />
                  </Suspense>
                }
              />
              <Route
                path="analytics"
                element={
                  <Suspense fallback={<PageSkeleton />}>
                    <AnalyticsPage />
                  </Suspense>
                }
              />
              <Route path="*" element={<NotFound />} />
            </Route>
          </Routes>
        </ErrorBoundary>
      </BrowserRouter>
    </Provider>
  );
}
