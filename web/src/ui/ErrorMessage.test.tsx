import { render, screen } from '@testing-library/react';
import { CombinedError } from 'urql';
import { describe, expect, it } from 'vitest';
import { ErrorMessage } from './ErrorMessage';

describe('ErrorMessage', () => {
  it('shows each code and the trace id the server answered with', () => {
    const response = new Response('{}', { headers: { 'x-trace-id': '4bf92f3577b34da6a3ce929d0e0e4736' } });
    const error = new CombinedError({
      graphQLErrors: [{ message: 'the database is unavailable', extensions: { code: 'SERVICE_UNAVAILABLE' } }],
      response,
    });
    render(<ErrorMessage error={error} />);
    expect(screen.getByText('SERVICE_UNAVAILABLE')).toBeTruthy();
    expect(screen.getByText('4bf92f3577b34da6a3ce929d0e0e4736')).toBeTruthy();
  });
});
