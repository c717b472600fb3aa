import { createContext, startTransition, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';
import { useLocation, useNavigate } from 'react-router-dom';
import { Provider, useQuery } from 'urql';
import { graphql } from '../gql';
import type { MeQuery as MeData } from '../gql/graphql';
import { makeClient } from './client';
import { SIGN_IN_PATH, signInPath } from './navigation';

export const MeQuery = graphql(`
  query Me {
    me {
      subject
      role
      kind
      permissions
    }
  }
`);

export type Me = NonNullable<MeData['me']>;

/** api/auth/roles.py Permission: read < raw_events (GraphiQL) < admin. */
export type Permission = 'read' | 'raw_events' | 'ingest' | 'admin';

export function can(me: Me | null | undefined, permission: Permission): boolean {
  return !!me?.permissions.includes(permission);
}

/** Who is signed in; `known` once the API has answered (then `me` null means nobody). */
export function useMe() {
  const [result] = useQuery({ query: MeQuery });
  return { me: result.data?.me ?? null, known: result.data !== undefined, error: result.error };
}

interface Session {
  /** Forget every cached answer: they belonged to the previous user. */
  resetCache: () => void;
}

const SessionContext = createContext<Session>({ resetCache: () => {} });

export const useSession = () => useContext(SessionContext);

/**
 * The urql client, and the one place that sends whoever the API no longer
 * knows (signed out elsewhere, session expired) to the sign-in screen, to come
 * back here afterwards.
 */
export function SessionProvider({ url, children }: { url?: string; children: ReactNode }) {
  const navigate = useNavigate();
  const location = useLocation();
  // The client outlives renders; its callback reads the latest location.
  const latest = useRef({ navigate, location });
  latest.current = { navigate, location };
  const create = useCallback(
    () =>
      makeClient(url, {
        onUnauthenticated() {
          const { navigate, location } = latest.current;
          // On the sign-in screen UNAUTHENTICATED is the answer to a wrong password.
          if (location.pathname !== SIGN_IN_PATH) navigate(signInPath(location), { replace: true });
        },
      }),
    [url],
  );
  const [client, setClient] = useState(create);
  const session = useMemo<Session>(
    // In a transition like the router's navigations, so that a navigation made
    // with it shows the next page and the new client together.
    () => ({ resetCache: () => startTransition(() => setClient(create())) }),
    [create],
  );
  return (
    <SessionContext.Provider value={session}>
      <Provider value={client}>{children}</Provider>
    </SessionContext.Provider>
  );
}
