import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router-dom';
import { Provider } from 'urql';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeClient } from '../../app/client';
import { noticeOf } from '../../app/navigation';
import { fakeApi, ROUTER_FUTURE } from '../../test/fakeApi';
import { readRecent, rememberCustomer } from '../customers/recent';
import { EraseCustomer } from './EraseCustomer';

const customer = { id: 'Q3VzdG9tZXI6MQ==', name: 'Ada Lovelace', distinctId: 'd-0001' };

function Notice() {
  return <p data-testid="notice">{noticeOf(useLocation().state)}</p>;
}

afterEach(() => {
  vi.unstubAllGlobals();
  localStorage.clear();
});

describe('EraseCustomer', () => {
  it('erases only after the distinct id is typed, then says what went', async () => {
    const calls = fakeApi({
      EraseCustomer: () => ({
        data: {
          eraseCustomer: {
            __typename: 'EraseCustomerPayload',
            erasedCustomerId: customer.id,
            sessions: 3,
            events: 1,
          },
        },
      }),
    });
    rememberCustomer({ id: customer.id, name: customer.name });
    render(
      <Provider value={makeClient('http://test/graphql')}>
        <MemoryRouter initialEntries={['/customers/x']} future={ROUTER_FUTURE}>
          <Routes>
            <Route path="/customers/x" element={<EraseCustomer customer={customer} />} />
            <Route path="/" element={<Notice />} />
          </Routes>
        </MemoryRouter>
      </Provider>,
    );
    await userEvent.click(screen.getByRole('button', { name: 'Erase customer' }));
    const dialog = screen.getByRole('dialog', { name: 'Erase Ada Lovelace?' });
    const confirm = within(dialog).getByRole('button', { name: 'Erase customer' });
    const input = within(dialog).getByLabelText(/Type the distinct id/);
    expect(confirm).toBeDisabled();
    await userEvent.type(input, 'd-000');
    expect(confirm).toBeDisabled();
    await userEvent.type(input, '1');
    expect(confirm).toBeEnabled();
    await userEvent.click(confirm);

    expect(await screen.findByTestId('notice')).toHaveTextContent(
      'Customer d-0001 erased, with 3 sessions and 1 event.',
    );
    expect(calls.map((c) => [c.operationName, c.variables])).toEqual([['EraseCustomer', { id: customer.id }]]);
    expect(readRecent()).toEqual([]);
  });
});
