// The insight's chart, in its own lazily loaded chunk with the chart library.
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { COLORS, legendText, tooltipStyle } from '../../ui/chartTheme';
import type { ChartKind } from './query';

const tick = { fill: 'currentColor', fontSize: 12 };

export interface ChartData {
  /** One per bucket: its label, and each line's value under `l<index>`. */
  rows: Record<string, string | number | null>[];
  lines: string[];
}

export function TrendsChart({ data, kind }: { data: ChartData; kind: ChartKind }) {
  const grid = <CartesianGrid strokeDasharray="3 3" stroke="currentColor" strokeOpacity={0.12} vertical={false} />;
  const axes = (
    <>
      <XAxis dataKey="label" tick={tick} minTickGap={24} />
      <YAxis tick={tick} />
      <Tooltip {...tooltipStyle} />
      <Legend formatter={legendText} />
    </>
  );
  const color = (i: number) => COLORS[i % COLORS.length];
  return (
    <ResponsiveContainer width="100%" height="100%">
      {kind === 'bar' ? (
        <BarChart data={data.rows} margin={{ top: 8, right: 8, left: -8, bottom: 0 }}>
          {grid}
          {axes}
          {data.lines.map((name, i) => (
            <Bar key={i} dataKey={`l${i}`} name={name} fill={color(i)} isAnimationActive={false} />
          ))}
        </BarChart>
      ) : (
        <LineChart data={data.rows} margin={{ top: 8, right: 8, left: -8, bottom: 0 }}>
          {grid}
          {axes}
          {data.lines.map((name, i) => (
            <Line
              key={i}
              type="monotone"
              dataKey={`l${i}`}
              name={name}
              stroke={color(i)}
              strokeWidth={2}
              dot={false}
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      )}
    </ResponsiveContainer>
  );
}
