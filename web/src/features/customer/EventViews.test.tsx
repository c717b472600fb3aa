import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { EventViews, type EventItem } from './EventViews';

const events: EventItem[] = [
  { id: 'e1', name: 'page_view', page: '/home', timestamp: '2026-11-28T10:00:00Z', metadata: { timeSpent: 12 } },
  { id: 'e2', name: 'search', page: '/home', timestamp: '2026-11-28T10:00:10Z', metadata: { query: 'shoes' } },
  { id: 'e3', name: 'page_view', page: '/product/7', timestamp: '2026-11-28T10:01:00Z', metadata: {} },
  { id: 'e4', name: 'add_to_cart', page: '/product/7', timestamp: '2026-11-28T10:01:30Z', metadata: {} },
  { id: 'e5', name: 'checkout', page: '/cart', timestamp: '2026-11-28T10:02:00Z', metadata: { total: 42 } },
];

describe('EventViews', () => {
  it('switches between the flow graph, the table and the JSON', async () => {
    render(<EventViews events={events} />);
    // Flow graph first (a lazy chunk): one node per page visit, in order.
    const nodes = await screen.findAllByTestId('flow-node');
    expect(nodes).toHaveLength(3);
    expect(nodes[0]).toHaveTextContent('1. /home');
    expect(nodes[2]).toHaveTextContent('3. /cart');
    expect(screen.getByRole('img', { name: /Pages visited/ })).toBeInTheDocument();

    await userEvent.click(screen.getByRole('tab', { name: 'Table' }));
    expect(screen.queryByTestId('flow-graph')).not.toBeInTheDocument();
    const table = screen.getByTestId('events-table');
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(1 + events.length);
    expect(rows[2]).toHaveTextContent('search');
    expect(rows[2]).toHaveTextContent('query: shoes');

    await userEvent.click(screen.getByRole('tab', { name: 'JSON' }));
    const json = screen.getByTestId('events-json');
    expect(JSON.parse(json.textContent ?? '')).toEqual(events);
    expect(screen.getByRole('button', { name: 'Copy events as JSON' })).toBeInTheDocument();
  });

  it('moves between tabs with the arrow keys', async () => {
    render(<EventViews events={events} />);
    const flow = screen.getByRole('tab', { name: 'Flow' });
    expect(flow).toHaveAttribute('aria-selected', 'true');
    flow.focus();
    await userEvent.keyboard('{ArrowRight}');
    expect(screen.getByRole('tab', { name: 'Table' })).toHaveAttribute('aria-selected', 'true');
    expect(screen.getByRole('tab', { name: 'Table' })).toHaveFocus();
    await userEvent.keyboard('{End}');
    expect(screen.getByTestId('events-json')).toBeInTheDocument();
  });

  it('shows a custom event with its properties, context and bot flag in the table', async () => {
    const custom: EventItem[] = [
      {
        id: 'c1',
        name: 'video.play',
        page: '/product/7',
        timestamp: '2026-11-28T10:00:00Z',
        metadata: { video: { quality: 'hd' } },
        bot: false,
        context: {
          browser: 'Chrome',
          browserVersion: '131.0.0',
          os: 'Windows',
          osVersion: '10',
          deviceType: 'desktop',
          referrer: 'https://www.google.com/',
          referrerDomain: 'google.com',
          utmSource: 'newsletter',
          utmMedium: 'email',
          utmCampaign: 'winter',
        },
      },
      { id: 'c2', name: 'page_view', page: '/', timestamp: '2026-11-28T10:01:00Z', metadata: {}, bot: true,
        context: { browser: 'Googlebot', browserVersion: '2.1', deviceType: 'bot' } },
    ];
    render(<EventViews events={custom} />);
    await userEvent.click(screen.getByRole('tab', { name: 'Table' }));
    const rows = within(screen.getByTestId('events-table')).getAllByRole('row');
    expect(rows[1]).toHaveTextContent('video.play');
    expect(rows[1]).toHaveTextContent('video: {"quality":"hd"}');
    expect(rows[1]).toHaveTextContent('Chrome 131 · Windows 10 · from google.com · campaign newsletter / email / winter');
    expect(rows[1]).not.toHaveTextContent('bot');
    expect(rows[2]).toHaveTextContent('page view');
    expect(rows[2]).toHaveTextContent('Googlebot 2');
    expect(within(rows[2]).getByText('bot')).toHaveClass('badge');
  });
});
