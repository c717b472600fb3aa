import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { useMutation, type CombinedError } from 'urql';
import { graphql } from '../gql';
import { ErrorMessage } from '../ui/ErrorMessage';
import { findError } from './errors';
import { isServerPath, leaveApp, safeNext } from './navigation';
import { useSession } from './session';

export const SignInMutation = graphql(`
  mutation SignIn($email: String!, $password: String!) {
    signIn(email: $email, password: $password) {
      expiresAt
      me {
        subject
        role
      }
    }
  }
`);

type Failure =
  | { kind: 'credentials' }
  | { kind: 'rate-limited'; seconds: number }
  | { kind: 'other'; error: CombinedError };

function failureOf(error: CombinedError): Failure {
  const limited = findError(error, 'RATE_LIMITED');
  if (limited) {
    const seconds = Number(limited.extensions?.retryAfter);
    return { kind: 'rate-limited', seconds: Number.isFinite(seconds) && seconds > 0 ? Math.ceil(seconds) : 60 };
  }
  if (findError(error, 'UNAUTHENTICATED')) return { kind: 'credentials' };
  return { kind: 'other', error };
}

/** Seconds left of `start.seconds`, counted down once a second from when it was set. */
function useCountdown(start: { seconds: number } | null): number {
  const [tick, setTick] = useState<{ start: object | null; left: number }>({ start: null, left: 0 });
  useEffect(() => {
    if (!start) return;
    const until = Date.now() + start.seconds * 1000;
    const timer = setInterval(() => {
      setTick({ start, left: Math.max(0, Math.ceil((until - Date.now()) / 1000)) });
    }, 1000);
    return () => clearInterval(timer);
  }, [start]);
  if (!start) return 0;
  return tick.start === start ? tick.left : start.seconds;
}

export function SignInPage() {
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const navigate = useNavigate();
  const { resetCache } = useSession();
  const [state, signIn] = useMutation(SignInMutation);
  const [failure, setFailure] = useState<Failure | null>(null);
  const password = useRef<HTMLInputElement>(null);
  const waiting = useCountdown(failure?.kind === 'rate-limited' ? failure : null);
  const busy = state.fetching;

  useEffect(() => {
    document.title = 'Sign in · Tracking';
  }, []);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setFailure(null);
    const result = await signIn({ email: String(form.get('email')), password: String(form.get('password')) });
    if (result.data?.signIn) {
      resetCache();
      if (isServerPath(next)) leaveApp(next);
      else navigate(next, { replace: true });
      return;
    }
    if (!result.error) return;
    const found = failureOf(result.error);
    setFailure(found);
    if (found.kind === 'credentials' && password.current) {
      password.current.value = '';
      password.current.focus();
    }
  };

  const invalid = failure?.kind === 'credentials';
  return (
    <main id="main" className="signin">
      <div className="card signin-card">
        <p className="brand" aria-hidden="true">
          <span className="brand-dot" />
          <span className="brand-text">Tracking</span>
        </p>
        <h1>Sign in</h1>
        <p className="muted small">For staff of the customer-tracking platform.</p>
        <form className="signin-form" onSubmit={submit} aria-busy={busy}>
          <label className="field">
            Email
            <input
              name="email"
              type="email"
              autoComplete="username"
              required
              autoFocus
              aria-invalid={invalid || undefined}
              aria-describedby={failure ? 'signin-error' : undefined}
            />
          </label>
          <label className="field">
            Password
            <input
              ref={password}
              name="password"
              type="password"
              autoComplete="current-password"
              required
              aria-invalid={invalid || undefined}
              aria-describedby={failure ? 'signin-error' : undefined}
            />
          </label>
          <div id="signin-error">
            {failure?.kind === 'credentials' && (
              <p className="alert" role="alert">
                Wrong email or password.
              </p>
            )}
            {failure?.kind === 'rate-limited' && waiting > 0 && (
              <p className="alert" role="alert">
                Too many sign-in attempts. Try again in {failure.seconds} seconds.
              </p>
            )}
            {failure?.kind === 'other' && <ErrorMessage error={failure.error} title="Could not sign in." />}
          </div>
          <button type="submit" className="button button-primary" disabled={busy || waiting > 0}>
            {busy ? 'Signing in…' : waiting > 0 ? `Sign in (wait ${waiting} s)` : 'Sign in'}
          </button>
        </form>
      </div>
    </main>
  );
}
