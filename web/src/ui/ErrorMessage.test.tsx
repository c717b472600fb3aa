import { render, screen } from '@testing-library/react';
import { CombinedError } from 'urql';
import { describe, expect, it } from 'vitest';
import { newTraceparent } from '../app/tracing';
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

  it('makes W3C traceparent headers', () => {
    const { header, traceId } = newTraceparent();
    expect(header).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(header.split('-')[1]).toBe(traceId);
  });
});
