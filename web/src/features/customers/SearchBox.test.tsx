import { act, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, useLocation } from 'react-router-dom';
import { describe, expect, it } from 'vitest';
import { SearchBox } from './SearchBox';

const ROUTER_FUTURE = { v7_startTransition: true, v7_relativeSplatPath: true };

function Probe({ seen }: { seen: string[] }) {
  const location = useLocation();
  seen.push(location.search);
  return <output data-testid="search">{location.search}</output>;
}

function setup(initial = '/') {
  const seen: string[] = [];
  render(
    <MemoryRouter initialEntries={[initial]} future={ROUTER_FUTURE}>
      <SearchBox delay={200} />
      <Probe seen={seen} />
    </MemoryRouter>,
  );
  return { seen, input: screen.getByRole('searchbox', { name: 'Search customers' }) };
}

describe('SearchBox', () => {
  it('puts the text in the URL once typing pauses', async () => {
    const { input, seen } = setup('/?country=DE');
    await userEvent.type(input, 'jose alv');
    // Not on every keystroke: nothing yet.
    expect(screen.getByTestId('search')).toHaveTextContent('?country=DE');
    await waitFor(() => expect(screen.getByTestId('search').textContent).toBe('?country=DE&q=jose+alv'));
    // One URL change for the whole word, no intermediate ones.
    expect(new Set(seen).size).toBe(2);
  });

  it('shows the query of the URL and clears it', async () => {
    const { input } = setup('/?q=ana');
    expect(input).toHaveValue('ana');
    await userEvent.clear(input);
    await waitFor(() => expect(screen.getByTestId('search').textContent).toBe(''));
  });

  it('restarts the pause on each keystroke', async () => {
    const { input } = setup();
    await userEvent.type(input, 'a');
    await act(() => new Promise((r) => setTimeout(r, 120)));
    await userEvent.type(input, 'b');
    await act(() => new Promise((r) => setTimeout(r, 120)));
    expect(screen.getByTestId('search').textContent).toBe('');
    await waitFor(() => expect(screen.getByTestId('search').textContent).toBe('?q=ab'));
  });
});
