import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeApi, refused, ROUTER_FUTURE, Where } from '../test/fakeApi';
import { leaveApp } from './navigation';
import { SessionProvider } from './session';
import { SignInPage } from './SignInPage';

// A full page load cannot happen in jsdom; record it instead.
vi.mock('./navigation', async (original) => ({ ...(await original<object>()), leaveApp: vi.fn() }));

const signedIn = {
  data: {
    signIn: {
      __typename: 'SignInPayload',
      expiresAt: '2026-12-01T12:00:00Z',
      me: { __typename: 'Me', subject: 'ada@staff.test', role: 'ADMIN' },
    },
  },
};

function renderAt(path: string) {
  render(
    <MemoryRouter initialEntries={[path]} future={ROUTER_FUTURE}>
      <SessionProvider url="http://test/graphql">
        <Routes>
          <Route path="/signin" element={<SignInPage />} />
          <Route path="*" element={<Where />} />
        </Routes>
      </SessionProvider>
    </MemoryRouter>,
  );
}

async function signIn(password = 'correct horse') {
  await userEvent.type(screen.getByLabelText('Email'), 'ada@staff.test');
  await userEvent.type(screen.getByLabelText('Password'), password);
  await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
}

afterEach(() => {
  vi.unstubAllGlobals();
  vi.mocked(leaveApp).mockClear();
});

describe('SignInPage', () => {
  it('says when the email or password is wrong, and stays', async () => {
    const calls = fakeApi({ SignIn: () => refused('UNAUTHENTICATED') });
    renderAt('/signin?next=%2Fanalytics');
    await signIn('wrong');
    expect(await screen.findByRole('alert')).toHaveTextContent('Wrong email or password.');
    expect(calls[0].variables).toEqual({ email: 'ada@staff.test', password: 'wrong' });
    // Not sent to sign-in again by the client's UNAUTHENTICATED handling: still here.
    expect(screen.queryByTestId('where')).not.toBeInTheDocument();
    const password = screen.getByLabelText('Password');
    expect(password).toHaveValue('');
    expect(password).toHaveFocus();
    expect(password).toHaveAttribute('aria-invalid', 'true');
  });

  it('tells how long to wait when rate limited', async () => {
    fakeApi({ SignIn: () => refused('RATE_LIMITED', { retryAfter: 42 }) });
    renderAt('/signin');
    await signIn();
    expect(await screen.findByRole('alert')).toHaveTextContent('Too many sign-in attempts. Try again in 42 seconds.');
    expect(screen.getByRole('button', { name: /wait 42 s/ })).toBeDisabled();
  });

  it('shows other errors with their code', async () => {
    fakeApi({ SignIn: () => refused('SERVICE_UNAVAILABLE') });
    renderAt('/signin');
    await signIn();
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Could not sign in.');
    expect(alert).toHaveTextContent('SERVICE_UNAVAILABLE');
  });

  it('is busy while the API answers, then goes to next', async () => {
    let answer: (body: unknown) => void = () => {};
    fakeApi({ SignIn: () => new Promise((resolve) => (answer = resolve)) });
    renderAt('/signin?next=%2Fanalytics%3Frange%3D30d');
    await signIn();
    expect(screen.getByRole('button', { name: 'Signing in…' })).toBeDisabled();
    expect(screen.getByRole('button').closest('form')).toHaveAttribute('aria-busy', 'true');
    answer(signedIn);
    expect(await screen.findByTestId('where')).toHaveTextContent('/analytics?range=30d');
    expect(leaveApp).not.toHaveBeenCalled();
  });

  it.each([
    ['//evil.example/steal'],
    ['https://evil.example/'],
    ['/\\evil.example'],
    ['javascript:alert(1)'],
    ['/signin'],
  ])('goes home instead of to next=%s', async (next) => {
    fakeApi({ SignIn: () => signedIn });
    renderAt(`/signin?${new URLSearchParams({ next })}`);
    await signIn();
    expect(await screen.findByTestId('where')).toHaveTextContent(/^\/$/);
    expect(leaveApp).not.toHaveBeenCalled();
  });

  it('loads pages the API serves (GraphiQL) with a full page load', async () => {
    fakeApi({ SignIn: () => signedIn });
    renderAt('/signin?next=%2Fgraphql');
    await signIn();
    await vi.waitFor(() => expect(leaveApp).toHaveBeenCalledWith('/graphql'));
    expect(screen.queryByTestId('where')).not.toBeInTheDocument();
  });
});
