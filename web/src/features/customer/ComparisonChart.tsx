import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { COLORS, legendText, tooltipStyle } from '../../ui/chartTheme';

export interface ComparisonRow {
  type: string;
  customer: number;
  average: number;
}

export default function ComparisonChart({ rows }: { rows: ComparisonRow[] }) {
  return (
    <ResponsiveContainer width="100%" height="100%">
      <BarChart data={rows} margin={{ top: 8, right: 8, left: -12, bottom: 0 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="currentColor" strokeOpacity={0.12} vertical={false} />
        <XAxis dataKey="type" tick={{ fill: 'currentColor', fontSize: 12 }} />
        <YAxis tick={{ fill: 'currentColor', fontSize: 12 }} allowDecimals />
        <Tooltip {...tooltipStyle} />
        <Legend formatter={legendText} />
        <Bar dataKey="customer" name="This customer" fill={COLORS[0]} radius={[4, 4, 0, 0]} />
        <Bar dataKey="average" name="Average customer" fill={COLORS[1]} radius={[4, 4, 0, 0]} />
      </BarChart>
    </ResponsiveContainer>
  );
}
