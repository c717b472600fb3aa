// Everything drawn with the chart library, in one lazily loaded chunk.
import {
  Area,
  AreaChart,
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { COLORS, legendText, tooltipStyle } from '../../ui/chartTheme';

const tick = { fill: 'currentColor', fontSize: 12 };
const grid = <CartesianGrid strokeDasharray="3 3" stroke="currentColor" strokeOpacity={0.12} vertical={false} />;

export interface SeriesPoint {
  label: string;
  sessions: number;
  events: number;
  pageViews: number;
  checkouts: number;
}

export function TimeSeriesChart({ data }: { data: SeriesPoint[] }) {
  return (
    <ResponsiveContainer width="100%" height="100%">
      <AreaChart data={data} margin={{ top: 8, right: 8, left: -8, bottom: 0 }}>
        {grid}
        <XAxis dataKey="label" tick={tick} minTickGap={24} />
        <YAxis tick={tick} allowDecimals={false} />
        <Tooltip {...tooltipStyle} />
        <Legend formatter={legendText} />
        <Area type="monotone" dataKey="pageViews" name="Page views" stroke={COLORS[0]} fill={COLORS[0]} fillOpacity={0.15} />
        <Area type="monotone" dataKey="sessions" name="Sessions" stroke={COLORS[1]} fill={COLORS[1]} fillOpacity={0.15} />
        <Area type="monotone" dataKey="checkouts" name="Checkouts" stroke={COLORS[2]} fill={COLORS[2]} fillOpacity={0.15} />
      </AreaChart>
    </ResponsiveContainer>
  );
}

/** Horizontal bars of one value per label. */
export function BarsChart({
  data,
  dataKey,
  name,
  color = COLORS[0],
  layout = 'horizontal',
}: {
  data: object[];
  dataKey: string;
  name: string;
  color?: string;
  layout?: 'horizontal' | 'vertical';
}) {
  if (layout === 'vertical') {
    return (
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} layout="vertical" margin={{ top: 4, right: 12, left: 8, bottom: 0 }}>
          <XAxis type="number" tick={tick} allowDecimals={false} />
          <YAxis type="category" dataKey="label" tick={tick} width={110} />
          <Tooltip {...tooltipStyle} />
          <Bar dataKey={dataKey} name={name} fill={color} radius={[0, 4, 4, 0]} />
        </BarChart>
      </ResponsiveContainer>
    );
  }
  return (
    <ResponsiveContainer width="100%" height="100%">
      <BarChart data={data} margin={{ top: 8, right: 8, left: -8, bottom: 0 }}>
        {grid}
        <XAxis dataKey="label" tick={tick} />
        <YAxis tick={tick} allowDecimals={false} />
        <Tooltip {...tooltipStyle} />
        <Bar dataKey={dataKey} name={name} fill={color} radius={[4, 4, 0, 0]} />
      </BarChart>
    </ResponsiveContainer>
  );
}
