import { Link } from 'react-router-dom';
import type { Me } from './session';

/** A page the signed-in user's role does not open (the API would refuse its data too). */
export function NotAllowed({ what, needs, me }: { what: string; needs: string; me: Me | null }) {
  return (
    <div className="panel not-found" role="alert">
      <h1>Not allowed</h1>
      <p className="muted">
        {what} need the {needs} role.
        {me && (
          <>
            {' '}
            You are signed in as {me.subject} ({me.role?.toLowerCase() ?? me.kind}).
          </>
        )}
      </p>
      <Link className="button" to="/">
        Back to customers
      </Link>
    </div>
  );
}
