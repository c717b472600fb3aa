import { useId } from 'react';
import { eventLabel } from '../events/label';
import { formatTime } from '../../ui/format';
import { useMediaQuery } from '../../ui/useMediaQuery';
import type { EventItem } from './EventViews';

/** Consecutive events on one page make one step of the flow. */
export interface Step {
  page: string;
  events: EventItem[];
}

export function toSteps(events: EventItem[]): Step[] {
  const steps: Step[] = [];
  for (const event of events) {
    const last = steps[steps.length - 1];
    if (last && last.page === event.page) last.events.push(event);
    else steps.push({ page: event.page, events: [event] });
  }
  return steps;
}

const NODE_W = 170;
const NODE_H = 78;
const GAP_X = 46;
const GAP_Y = 48;
const PAD = 12;
const LINES = 3;

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** Pages in visit order as boxes, arrows between consecutive ones, wrapping into rows. */
export default function FlowGraph({ events }: { events: EventItem[] }) {
  const titleId = useId();
  const COLUMNS = useMediaQuery('(max-width: 600px)') ? 2 : 4;
  const descId = useId();
  const steps = toSteps(events);
  if (steps.length === 0) return <p className="empty">No events.</p>;
  const rows = Math.ceil(steps.length / COLUMNS);
  const columns = Math.min(COLUMNS, steps.length);
  const width = PAD * 2 + columns * NODE_W + (columns - 1) * GAP_X;
  const height = PAD * 2 + rows * NODE_H + (rows - 1) * GAP_Y;
  const at = (i: number) => ({
    x: PAD + (i % COLUMNS) * (NODE_W + GAP_X),
    y: PAD + Math.floor(i / COLUMNS) * (NODE_H + GAP_Y),
  });
  const marker = `${titleId}-arrow`.replace(/:/g, '');
  return (
    <div className="flow" data-testid="flow-graph">
      <svg
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-labelledby={`${titleId} ${descId}`}
        style={{ maxWidth: width, minWidth: Math.min(width, 560) }}
      >
        <title id={titleId}>Pages visited, in order</title>
        <desc id={descId}>{steps.map((s, i) => `${i + 1}. ${s.page}`).join('; ')}</desc>
        <defs>
          <marker id={marker} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M0,0 L10,5 L0,10 z" className="flow-arrow" />
          </marker>
        </defs>
        {steps.slice(1).map((_, k) => {
          const a = at(k);
          const b = at(k + 1);
          const sameRow = a.y === b.y;
          const d = sameRow
            ? `M${a.x + NODE_W},${a.y + NODE_H / 2} L${b.x - 2},${b.y + NODE_H / 2}`
            : `M${a.x + NODE_W / 2},${a.y + NODE_H} C${a.x + NODE_W / 2},${a.y + NODE_H + GAP_Y} ${b.x + NODE_W / 2},${b.y - GAP_Y} ${b.x + NODE_W / 2},${b.y - 2}`;
          return <path key={k} d={d} className="flow-edge" markerEnd={`url(#${marker})`} />;
        })}
        {steps.map((step, i) => {
          const { x, y } = at(i);
          const shown = step.events.slice(0, LINES - (step.events.length > LINES ? 1 : 0));
          const more = step.events.length - shown.length;
          return (
            <g key={i} className="flow-node" data-testid="flow-node" transform={`translate(${x},${y})`}>
              <title>
                {`${i + 1}. ${step.page}\n${step.events.map((e) => `${eventLabel(e.name)} at ${formatTime(e.timestamp)}`).join('\n')}`}
              </title>
              <rect width={NODE_W} height={NODE_H} rx={8} />
              <text x={10} y={18} className="flow-page">
                {clip(`${i + 1}. ${step.page}`, 22)}
              </text>
              {shown.map((e, j) => (
                <text key={e.id} x={10} y={36 + j * 14} className="flow-label">
                  {clip(`${eventLabel(e.name)} · ${formatTime(e.timestamp)}`, 28)}
                </text>
              ))}
              {more > 0 && (
                <text x={10} y={36 + shown.length * 14} className="flow-label">
                  +{more} more
                </text>
              )}
            </g>
          );
        })}
      </svg>
    </div>
  );
}
