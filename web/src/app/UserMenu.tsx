import { useNavigate } from 'react-router-dom';
import { useMutation } from 'urql';
import { graphql } from '../gql';
import { SIGN_IN_PATH } from './navigation';
import { useSession, type Me } from './session';

export const SignOutMutation = graphql(`
  mutation SignOut {
    signOut
  }
`);

/** Who is signed in, with their role, and "Sign out". */
export function UserMenu({ me }: { me: Me | null }) {
  const [state, signOut] = useMutation(SignOutMutation);
  const navigate = useNavigate();
  const { resetCache } = useSession();
  if (!me) {
    return (
      <div className="user-menu" aria-hidden="true">
        <span className="avatar" />
      </div>
    );
  }
  const out = async () => {
    const result = await signOut({});
    // Still signed in when the API did not hear it: say so, stay.
    if (result.error) return;
    navigate(SIGN_IN_PATH, { replace: true });
    resetCache();
  };
  const role = me.role?.toLowerCase() ?? me.kind;
  return (
    <div className="user-menu" role="group" aria-label="Signed-in user">
      <span className="avatar" aria-hidden="true">
        {me.subject.charAt(0).toUpperCase()}
      </span>
      <span className="user-id" title={`${me.subject} (${role})`}>
        <span className="user-email" data-testid="user-email">
          {me.subject}
        </span>{' '}
        <span className="badge" data-testid="user-role">
          {role}
        </span>
      </span>
      <button type="button" className="button button-small" onClick={out} disabled={state.fetching}>
        {state.fetching ? 'Signing out…' : 'Sign out'}
      </button>
      {state.error && (
        <span className="small error-text" role="alert">
          Could not sign out; try again.
        </span>
      )}
    </div>
  );
}
