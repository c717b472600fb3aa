import { createElement } from 'react';

/** Legend labels in the text colour (the swatch carries the series colour). */
export const legendText = (value: string) => createElement('span', { style: { color: 'var(--text)' } }, value);

// Mid-tone colours readable on the light and the dark background.
export const COLORS = ['#6366f1', '#14b8a6', '#f59e0b', '#ec4899', '#0ea5e9', '#84cc16'];

export const tooltipStyle = {
  contentStyle: {
    background: 'var(--surface)',
    border: '1px solid var(--border)',
    borderRadius: 8,
    color: 'var(--text)',
  },
  labelStyle: { color: 'var(--text)' },
  cursor: { fill: 'currentColor', fillOpacity: 0.06 },
};
