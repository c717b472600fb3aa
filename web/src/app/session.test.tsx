import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ReactNode } from 'react';
import { Link, MemoryRouter, Route, Routes } from 'react-router-dom';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CustomersPage } from '../features/customers/CustomersPage';
import { fakeApi, me, refused, ROUTER_FUTURE, Where } from '../test/fakeApi';
import { SessionProvider } from './session';
import { Shell } from './Shell';

const emptyList = {
  data: {
    customers: {
      __typename: 'CustomerConnection',
      edges: [],
      pageInfo: { __typename: 'PageInfo', hasNextPage: false, endCursor: null },
    },
  },
};

function renderAt(path: string, routes: ReactNode) {
  render(
    <MemoryRouter initialEntries={[path]} future={ROUTER_FUTURE}>
      <SessionProvider url="http://test/graphql">
        <Routes>
          {routes}
          <Route
            path="/signin"
            element={
              <>
                <Where />
                <Link to="/again">Back in</Link>
              </>
            }
          />
        </Routes>
      </SessionProvider>
    </MemoryRouter>,
  );
}

afterEach(() => vi.unstubAllGlobals());

describe('central UNAUTHENTICATED handling', () => {
  it('sends any refused query to sign-in, to come back to the same page', async () => {
    // A page knows nothing of sessions: the client setup does it for every query.
    fakeApi({ Customers: () => refused('UNAUTHENTICATED') });
    renderAt('/customers-of?q=ana&country=DE', <Route path="/customers-of" element={<CustomersPage />} />);
    const where = await screen.findByTestId('where');
    expect(where).toHaveTextContent('/signin?next=%2Fcustomers-of%3Fq%3Dana%26country%3DDE');
  });

  it('leaves other errors to the page', async () => {
    fakeApi({ Customers: () => refused('FORBIDDEN') });
    renderAt('/', <Route path="/" element={<CustomersPage />} />);
    expect(await screen.findByRole('alert')).toHaveTextContent('FORBIDDEN');
    expect(screen.queryByTestId('where')).not.toBeInTheDocument();
  });

  it('sends a visitor who is not signed in from the shell to sign-in', async () => {
    fakeApi({ Me: () => me(null), Customers: () => emptyList });
    renderAt(
      '/',
      <Route element={<Shell />}>
        <Route index element={<p>customers</p>} />
      </Route>,
    );
    expect(await screen.findByTestId('where')).toHaveTextContent('/signin?next=%2F');
  });
});

describe('the shell for a signed-in user', () => {
  const shellAt = (path: string) =>
    renderAt(
      path,
      <Route element={<Shell />}>
        <Route path="*" element={<p>page</p>} />
      </Route>,
    );

  it('shows a viewer neither the admin pages nor GraphiQL', async () => {
    fakeApi({ Me: () => me('VIEWER') });
    shellAt('/');
    const user = await screen.findByRole('group', { name: 'Signed-in user' });
    expect(user).toHaveTextContent('viewer@staff.test');
    expect(within(user).getByTestId('user-role')).toHaveTextContent('viewer');
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(within(nav).getByRole('link', { name: 'Customers' })).toBeInTheDocument();
    expect(within(nav).queryByRole('link', { name: 'Admin' })).not.toBeInTheDocument();
    expect(within(nav).queryByRole('link', { name: 'GraphiQL' })).not.toBeInTheDocument();
  });

  it('shows an analyst GraphiQL, and an admin the admin pages too', async () => {
    fakeApi({ Me: () => me('ANALYST') });
    shellAt('/');
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(await within(nav).findByRole('link', { name: 'GraphiQL' })).toHaveAttribute('href', '/graphql');
    expect(within(nav).queryByRole('link', { name: 'Admin' })).not.toBeInTheDocument();
  });

  it('signs out, forgets the cache and goes to sign-in', async () => {
    let signedIn = true;
    const calls = fakeApi({
      Me: () => me(signedIn ? 'ADMIN' : null),
      SignOut: () => {
        signedIn = false;
        return { data: { signOut: true } };
      },
    });
    shellAt('/analytics');
    expect(await screen.findByRole('link', { name: 'Admin' })).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Sign out' }));
    expect(await screen.findByTestId('where')).toHaveTextContent(/^\/signin$/);
    // The cached admin is gone: coming back asks the API again, which knows nobody.
    await userEvent.click(screen.getByRole('link', { name: 'Back in' }));
    expect(await screen.findByTestId('where')).toHaveTextContent('/signin?next=%2Fagain');
    expect(calls.map((c) => c.operationName)).toEqual(['Me', 'SignOut', 'Me']);
  });
});
