import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router-dom';
import { Provider } from 'urql';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeClient } from '../../app/client';
import { CustomersPage, PAGE_SIZE } from './CustomersPage';

const ROUTER_FUTURE = { v7_startTransition: true, v7_relativeSplatPath: true };

interface Body {
  operationName: string;
  variables: Record<string, unknown>;
}

/** A fake API of 60 customers, paged by cursor "c<index>". */
function fakeApi(requests: Body[]) {
  const all = Array.from({ length: 60 }, (_, i) => ({
    __typename: 'Customer',
    id: `id-${i}`,
    name: `Customer ${i}`,
    email: `c${i}@example.com`,
    country: 'DE',
    lastSeenAt: '2026-11-28T10:00:00Z',
  }));
  return vi.fn(async (_url: string, init: RequestInit) => {
    const body = JSON.parse(String(init.body)) as Body;
    requests.push(body);
    const after = body.variables.after as string | null;
    const start = after ? Number(after.slice(1)) + 1 : 0;
    const first = Number(body.variables.first);
    const page = all.slice(start, start + first);
    const data = {
      customers: {
        __typename: 'CustomerConnection',
        edges: page.map((node, i) => ({ __typename: 'CustomerEdge', cursor: `c${start + i}`, node })),
        pageInfo: {
          __typename: 'PageInfo',
          hasNextPage: start + first < all.length,
          endCursor: page.length ? `c${start + page.length - 1}` : null,
        },
      },
    };
    return new Response(JSON.stringify({ data }), { headers: { 'Content-Type': 'application/json' } });
  });
}

afterEach(() => vi.unstubAllGlobals());

describe('customers list paging', () => {
  it('loads the next page after pageInfo.endCursor and keeps the first', async () => {
    const requests: Body[] = [];
    vi.stubGlobal('fetch', fakeApi(requests));
    render(
      <Provider value={makeClient('http://test/graphql')}>
        <MemoryRouter initialEntries={['/?sort=NAME&dir=ASC']} future={ROUTER_FUTURE}>
          <CustomersPage />
        </MemoryRouter>
      </Provider>,
    );
    await waitFor(() => expect(screen.getAllByTestId('customer-row')).toHaveLength(PAGE_SIZE));
    expect(requests[0].variables).toMatchObject({
      after: null,
      first: PAGE_SIZE,
      orderBy: { field: 'NAME', direction: 'ASC' },
    });

    await userEvent.click(screen.getByRole('button', { name: 'Load more customers' }));
    await waitFor(() => expect(screen.getAllByTestId('customer-row')).toHaveLength(2 * PAGE_SIZE));
    expect(requests[1].variables).toMatchObject({ after: `c${PAGE_SIZE - 1}`, first: PAGE_SIZE });
    const rows = screen.getAllByTestId('customer-row');
    expect(within(rows[0]).getByText('Customer 0')).toBeInTheDocument();
    expect(within(rows[PAGE_SIZE]).getByText(`Customer ${PAGE_SIZE}`)).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Load more customers' }));
    await waitFor(() => expect(screen.getAllByTestId('customer-row')).toHaveLength(60));
    expect(requests[2].variables).toMatchObject({ after: `c${2 * PAGE_SIZE - 1}` });
    // The last page says there is no next one: no button.
    expect(screen.queryByRole('button', { name: 'Load more customers' })).not.toBeInTheDocument();
  });

  it('shows the error code of a failed query', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(
        async () =>
          new Response(
            JSON.stringify({
              data: null,
              errors: [{ message: 'search: too long', extensions: { code: 'BAD_USER_INPUT' } }],
            }),
            { headers: { 'Content-Type': 'application/json' } },
          ),
      ),
    );
    render(
      <Provider value={makeClient('http://test/graphql')}>
        <MemoryRouter initialEntries={['/?q=x']} future={ROUTER_FUTURE}>
          <CustomersPage />
        </MemoryRouter>
      </Provider>,
    );
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('BAD_USER_INPUT');
    expect(alert).toHaveTextContent('search: too long');
  });
});
