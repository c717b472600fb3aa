import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SessionProvider } from '../../app/session';
import { fakeApi, me, refused, ROUTER_FUTURE, Where } from '../../test/fakeApi';
import InsightsPage from './InsightsPage';

const point = (start: string, value: number | null) => ({ __typename: 'TrendPoint', start, value });
const line = (label: string, breakdownValue: string | null, values: (number | null)[]) => ({
  __typename: 'TrendLine',
  label,
  seriesIndex: 0,
  breakdownValue,
  isOther: false,
  total: values.reduce<number>((a, b) => a + (b ?? 0), 0),
  points: [point('2026-12-01T00:00:00Z', values[0]), point('2026-12-02T00:00:00Z', values[1])],
});

const trends = (input: { interval: string; timeZone: string }) => ({
  data: {
    trends: {
      __typename: 'Trends',
      interval: input.interval,
      timeZone: input.timeZone,
      rows: 7,
      engineMs: 3.2,
      series: [line('checkout: sum of amount · pro', 'pro', [99, 12.5]), line('checkout: sum of amount · a, "b"', 'a, "b"', [5, null])],
    },
  },
});

const catalog = {
  Me: () => me('VIEWER'),
  InsightEventNames: () => ({
    data: { eventNames: [{ __typename: 'EventNameCount', name: 'checkout', count: 5 }, { __typename: 'EventNameCount', name: 'page_view', count: 2 }] },
  }),
  InsightPropertyNames: () => ({
    data: {
      propertyNames: [
        { __typename: 'PropertyName', name: 'plan', type: 'STRING', count: 7 },
        { __typename: 'PropertyName', name: 'amount', type: 'NUMBER', count: 5 },
      ],
    },
  }),
  InsightDimensions: () => ({
    data: {
      insightDimensions: [
        { __typename: 'InsightDimension', key: '$browser', label: 'Browser', type: 'STRING', personal: false },
        { __typename: 'InsightDimension', key: '$customer.email', label: 'Email', type: 'STRING', personal: true },
      ],
    },
  }),
};

const QUERY =
  '/insights?s=' +
  encodeURIComponent('{"e":"checkout","m":"SUM","p":"amount"}') +
  '&by=plan&interval=DAY&range=custom&from=2026-12-01&to=2026-12-02&tz=UTC';

function renderAt(path: string) {
  render(
    <MemoryRouter initialEntries={[path]} future={ROUTER_FUTURE}>
      <SessionProvider url="http://test/graphql">
        <Routes>
          <Route path="/insights" element={<InsightsPage />} />
        </Routes>
        <Where />
      </SessionProvider>
    </MemoryRouter>,
  );
}

const trendCalls = (calls: { operationName: string; variables: Record<string, unknown> }[]) =>
  calls.filter((c) => c.operationName === 'InsightTrends').map((c) => c.variables.input as Record<string, unknown>);

// jsdom lays nothing out: the chart is told of no size, and says so (quietly here).
beforeEach(() => {
  vi.stubGlobal(
    'ResizeObserver',
    class {
      observe() {}
      unobserve() {}
      disconnect() {}
    },
  );
  const warn = console.warn;
  vi.spyOn(console, 'warn').mockImplementation((...args) => {
    if (!String(args[0]).includes('of chart should be greater than 0')) warn(...args);
  });
});
// jsdom's Blob has no text().
const read = (blob: Blob) =>
  new Promise<string>((resolve) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.readAsText(blob);
  });

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('insights page', () => {
  it('asks for the query of the URL and shows a row per line', async () => {
    const calls = fakeApi({ ...catalog, InsightTrends: (v) => trends(v.input as never) });
    renderAt(QUERY);
    const table = await screen.findByTestId('insight-table');
    expect(trendCalls(calls)[0]).toEqual({
      series: [{ event: 'checkout', math: 'SUM', property: 'amount', filters: [] }],
      range: { from: '2026-12-01T00:00:00.000Z', to: '2026-12-03T00:00:00.000Z' },
      interval: 'DAY',
      timeZone: 'UTC',
      breakdown: 'plan',
      breakdownLimit: 10,
      filters: [],
      includeBots: false,
    });
    const rows = within(table).getAllByRole('row');
    expect(rows.map((r) => [...r.querySelectorAll('th, td')].map((c) => c.textContent))).toEqual([
      ['Series', 'Total', '2026-12-01', '2026-12-02'],
      ['checkout: sum of amount · pro', '111.5', '99', '12.5'],
      ['checkout: sum of amount · a, "b"', '5', '5', ''],
    ]);
    expect(screen.getByLabelText(/Series 1: event/)).toHaveValue('checkout');
    expect(screen.getByLabelText(/^Breakdown(?! values)/)).toHaveValue('plan');
    // A viewer is not offered the dimensions that name a customer.
    expect(screen.queryByRole('option', { name: /Email/ })).not.toBeInTheDocument();
  });

  it('writes every change into the URL and asks again', async () => {
    const calls = fakeApi({ ...catalog, InsightTrends: (v) => trends(v.input as never) });
    renderAt(QUERY);
    await screen.findByTestId('insight-table');
    const user = userEvent.setup();
    await user.selectOptions(screen.getByLabelText(/Series 1: measure/), 'COUNT');
    await user.click(screen.getByRole('button', { name: 'Add global filter' }));
    await user.selectOptions(screen.getByLabelText(/Global filter 1: property/), 'amount');
    await user.selectOptions(screen.getByLabelText(/Global filter 1: operator/), 'IN');
    await user.type(screen.getByLabelText(/Global filter 1: value/), '5, 12.5');
    await waitFor(() =>
      expect(trendCalls(calls).at(-1)).toMatchObject({
        series: [{ event: 'checkout', math: 'COUNT', property: null }],
        filters: [{ property: 'amount', operator: 'IN', value: [5, 12.5] }],
      }),
    );
    const where = new URL('http://x' + screen.getByTestId('where').textContent);
    expect(where.searchParams.getAll('s')).toEqual(['{"e":"checkout"}']);
    expect(where.searchParams.getAll('f')).toEqual(['["amount","IN",[5,12.5]]']);
  });

  it('adds and removes series', async () => {
    const calls = fakeApi({ ...catalog, InsightTrends: (v) => trends(v.input as never) });
    renderAt(QUERY);
    await screen.findByTestId('insight-table');
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Add series' }));
    await user.selectOptions(screen.getByLabelText(/Series 2: event/), 'page_view');
    await user.selectOptions(screen.getByLabelText(/Series 2: measure/), 'UNIQUE_CUSTOMERS');
    await waitFor(() =>
      expect(trendCalls(calls).at(-1)?.series).toEqual([
        { event: 'checkout', math: 'SUM', property: 'amount', filters: [] },
        { event: 'page_view', math: 'UNIQUE_CUSTOMERS', property: null, filters: [] },
      ]),
    );
    await user.click(screen.getByRole('button', { name: 'Remove series 1' }));
    await waitFor(() =>
      expect(trendCalls(calls).at(-1)?.series).toEqual([{ event: 'page_view', math: 'UNIQUE_CUSTOMERS', property: null, filters: [] }]),
    );
    // The breakdown limit may be emptied while typing a new one.
    const limit = screen.getByLabelText('Breakdown values shown');
    await user.clear(limit);
    await user.type(limit, '3');
    await waitFor(() => expect(trendCalls(calls).at(-1)?.breakdownLimit).toBe(3));
  });

  it('writes the browser time zone into a link without one', async () => {
    fakeApi({ ...catalog, InsightTrends: (v) => trends(v.input as never) });
    renderAt('/insights');
    await waitFor(() => expect(screen.getByTestId('where').textContent).toMatch(/[?&]tz=/));
    expect(screen.getByTestId('where').textContent).toMatch(/[?&]range=7d/);
  });

  it('downloads the table as CSV', async () => {
    fakeApi({ ...catalog, InsightTrends: (v) => trends(v.input as never) });
    const blobs: Blob[] = [];
    URL.createObjectURL = (b: Blob) => (blobs.push(b), 'blob:test');
    URL.revokeObjectURL = () => {};
    const clicked = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {});
    renderAt(QUERY);
    await screen.findByTestId('insight-table');
    await userEvent.setup().click(screen.getByRole('button', { name: 'Export CSV' }));
    expect(clicked).toHaveBeenCalledOnce();
    expect(await read(blobs[0])).toBe(
      'Series,Total,2026-12-01,2026-12-02\r\n' +
        'checkout: sum of amount · pro,111.5,99,12.5\r\n' +
        '"checkout: sum of amount · a, ""b""",5,5,\r\n',
    );
  });

  it('names the limit a query is over', async () => {
    fakeApi({ ...catalog, InsightTrends: () => refused('QUERY_TOO_COMPLEX', { limit: 'points' }) });
    renderAt(QUERY);
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('over the limit on the number of points');
    expect(alert).toHaveTextContent('QUERY_TOO_COMPLEX');
  });

  it('says when nothing matched, and what is missing before asking', async () => {
    const calls = fakeApi({
      ...catalog,
      InsightTrends: (v) => ({ data: { trends: { ...trends(v.input as never).data.trends, rows: 0, series: [] } } }),
    });
    renderAt(QUERY);
    expect(await screen.findByText('No events match this query in this range.')).toBeInTheDocument();
    const user = userEvent.setup();
    await user.selectOptions(screen.getByLabelText(/Series 1: numeric property/), '');
    expect(await screen.findByText('Pick a numeric property for series 1.')).toBeInTheDocument();
    expect(trendCalls(calls)).toHaveLength(1);
  });
});
