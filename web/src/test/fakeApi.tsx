import { useLocation } from 'react-router-dom';
import { vi } from 'vitest';

export const ROUTER_FUTURE = { v7_startTransition: true, v7_relativeSplatPath: true };

export interface Call {
  operationName: string;
  variables: Record<string, unknown>;
}

/** An answer body, or a promise of one to hold the request open. */
type Handler = (variables: Record<string, unknown>) => unknown;

/** Stubs fetch with a GraphQL API answering each operation by name; returns the calls made. */
export function fakeApi(handlers: Record<string, Handler>): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (_url: string, init: RequestInit) => {
      const call = JSON.parse(String(init.body)) as Call;
      calls.push(call);
      const handler = handlers[call.operationName];
      const body = handler
        ? await handler(call.variables)
        : { errors: [{ message: `no fake for ${call.operationName}`, extensions: { code: 'TEST' } }] };
      return new Response(JSON.stringify(body), { headers: { 'Content-Type': 'application/json' } });
    }),
  );
  return calls;
}

export const refused = (code: string, extensions: Record<string, unknown> = {}) => ({
  data: null,
  errors: [{ message: code.toLowerCase(), extensions: { code, ...extensions } }],
});

export const me = (role: 'VIEWER' | 'ANALYST' | 'ADMIN' | null) => ({
  data: {
    me: role && {
      __typename: 'Me',
      subject: `${role.toLowerCase()}@staff.test`,
      role,
      kind: 'staff',
      permissions: { VIEWER: ['read'], ANALYST: ['raw_events', 'read'], ADMIN: ['admin', 'ingest', 'raw_events', 'read'] }[
        role
      ],
    },
  },
});

/** Shows where the router is: path and query. */
export function Where() {
  const location = useLocation();
  return <output data-testid="where">{location.pathname + location.search}</output>;
}
