import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SessionProvider } from '../../app/session';
import { fakeApi, me, ROUTER_FUTURE } from '../../test/fakeApi';
import AdminPage from './AdminPage';

const key = (n: number, extra: Record<string, unknown> = {}) => ({
  __typename: 'ApiKey',
  id: `key-${n}`,
  name: `Key ${n}`,
  role: 'VIEWER',
  prefix: `ctk_${n}abcde`,
  createdAt: '2026-11-28T10:00:00Z',
  createdBy: 'staff:admin@staff.test',
  lastUsedAt: null,
  revokedAt: null,
  ...extra,
});

const page = (keys: ReturnType<typeof key>[]) => ({
  data: {
    apiKeys: {
      __typename: 'ApiKeyConnection',
      edges: keys.map((node) => ({ __typename: 'ApiKeyEdge', cursor: node.id, node })),
      pageInfo: { __typename: 'PageInfo', hasNextPage: false, endCursor: keys.at(-1)?.id ?? null },
    },
  },
});

function renderAt(path: string) {
  render(
    <MemoryRouter initialEntries={[path]} future={ROUTER_FUTURE}>
      <SessionProvider url="http://test/graphql">
        <Routes>
          <Route path="/admin/*" element={<AdminPage />} />
        </Routes>
      </SessionProvider>
    </MemoryRouter>,
  );
}

afterEach(() => vi.unstubAllGlobals());

describe('admin pages', () => {
  it('tell a viewer they are not allowed, without asking for the data', async () => {
    const calls = fakeApi({ Me: () => me('VIEWER') });
    renderAt('/admin/api-keys');
    expect(await screen.findByRole('heading', { name: 'Not allowed' })).toBeInTheDocument();
    expect(screen.getByRole('alert')).toHaveTextContent('You are signed in as viewer@staff.test (viewer)');
    expect(calls.map((c) => c.operationName)).toEqual(['Me']);
  });

  it('show a new API key’s secret once and list the key first', async () => {
    const calls = fakeApi({
      Me: () => me('ADMIN'),
      ApiKeys: () => page([key(1)]),
      CreateApiKey: (variables) => ({
        data: {
          createApiKey: {
            __typename: 'CreateApiKeyPayload',
            secret: 'ctk_2abcdeSECRET',
            apiKey: key(2, { name: variables.name, role: variables.role }),
          },
        },
      }),
    });
    renderAt('/admin');
    const table = await screen.findByTestId('api-keys');
    await waitFor(() => expect(within(table).getAllByRole('row')).toHaveLength(2));

    await userEvent.type(screen.getByLabelText('Name'), 'Nightly export');
    await userEvent.selectOptions(screen.getByLabelText('Role'), 'ANALYST');
    await userEvent.click(screen.getByRole('button', { name: 'Create key' }));

    expect(await screen.findByTestId('api-key-secret')).toHaveTextContent('ctk_2abcdeSECRET');
    expect(screen.getByText(/shown this once/)).toBeInTheDocument();
    expect(calls.find((c) => c.operationName === 'CreateApiKey')?.variables).toEqual({
      name: 'Nightly export',
      role: 'ANALYST',
    });
    // Put on the cached first page by the cache update: no refetch of the list.
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(3);
    expect(rows[1]).toHaveTextContent('Nightly export');
    expect(rows[1]).toHaveTextContent('analyst');
    expect(calls.filter((c) => c.operationName === 'ApiKeys')).toHaveLength(1);

    await userEvent.click(screen.getByRole('button', { name: 'Done' }));
    expect(screen.queryByTestId('api-key-secret')).not.toBeInTheDocument();
  });

  it('revoke a key only once confirmed', async () => {
    const calls = fakeApi({
      Me: () => me('ADMIN'),
      ApiKeys: () => page([key(1)]),
      // An hour before the test runs, so that it reads "1 hour ago" on any day.
      RevokeApiKey: () => ({
        data: { revokeApiKey: key(1, { revokedAt: new Date(Date.now() - 3_600_000).toISOString() }) },
      }),
    });
    renderAt('/admin/api-keys');
    await userEvent.click(await screen.findByRole('button', { name: 'Revoke API key “Key 1”' }));
    const dialog = screen.getByRole('dialog', { name: 'Revoke API key “Key 1”?' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(calls.some((c) => c.operationName === 'RevokeApiKey')).toBe(false);

    await userEvent.click(screen.getByRole('button', { name: 'Revoke API key “Key 1”' }));
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Revoke' }));
    await waitFor(() => expect(screen.queryByRole('button', { name: /^Revoke/ })).not.toBeInTheDocument());
    expect(within(screen.getByTestId('api-keys')).getAllByRole('row')[1]).toHaveTextContent(/revoked .* ago/);
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(calls.find((c) => c.operationName === 'RevokeApiKey')?.variables).toEqual({ id: 'key-1' });
  });

  it('page through the audit log after its end cursor', async () => {
    const entries = Array.from({ length: 60 }, (_, i) => ({
      __typename: 'AuditEntry',
      at: new Date(Date.UTC(2026, 10, 28, 12, 0, 60 - i)).toISOString(),
      actor: 'staff:admin@staff.test',
      action: 'apiKey.create',
      target: `key-${i}`,
      details: { name: `Key ${i}` },
    }));
    const calls = fakeApi({
      Me: () => me('ADMIN'),
      AuditLog: ({ first, after }) => {
        const start = after ? Number(after) + 1 : 0;
        const slice = entries.slice(start, start + Number(first));
        return {
          data: {
            auditLog: {
              __typename: 'AuditEntryConnection',
              edges: slice.map((node, i) => ({ __typename: 'AuditEntryEdge', cursor: String(start + i), node })),
              pageInfo: {
                __typename: 'PageInfo',
                hasNextPage: start + slice.length < entries.length,
                endCursor: String(start + slice.length - 1),
              },
            },
          },
        };
      },
    });
    renderAt('/admin/audit');
    const table = await screen.findByTestId('audit-log');
    await waitFor(() => expect(within(table).getAllByRole('row')).toHaveLength(1 + 50));
    await userEvent.click(screen.getByRole('button', { name: 'Load more entries' }));
    await waitFor(() => expect(within(table).getAllByRole('row')).toHaveLength(1 + 60));
    expect(within(table).getAllByRole('row')[60]).toHaveTextContent('key-59');
    expect(calls.filter((c) => c.operationName === 'AuditLog').map((c) => c.variables)).toEqual([
      { first: 50, after: null },
      { first: 50, after: '49' },
    ]);
    expect(screen.queryByRole('button', { name: 'Load more entries' })).not.toBeInTheDocument();
  });
});
