// Codes issued per day over the last 30 days, as an inline SVG bar chart that scales to its card. Each bar carries
// its own title (day and count) for tooltips and screen readers.
import { useId } from "react";

export interface DayCount {
  /** Already formatted on the server ("May 3"). */
  label: string;
  count: number;
}

const WIDTH = 720;
const HEIGHT = 200;
const LEFT = 36;
const RIGHT = 8;
const TOP = 12;
const BOTTOM = 24;

function niceMax(max: number): number {
  if (max <= 4) return 4;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (step * magnitude >= max) return step * magnitude;
  }
  return 10 * magnitude;
}

export function IssuesChart({ days, title }: { days: readonly DayCount[]; title: string }) {
  const id = useId();
  const top = niceMax(Math.max(0, ...days.map((d) => d.count)));
  const plotWidth = WIDTH - LEFT - RIGHT;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const slot = days.length > 0 ? plotWidth / days.length : plotWidth;
  const barWidth = Math.max(2, slot * 0.7);
  const y = (v: number) => TOP + plotHeight - (v / top) * plotHeight;
  const ticks = [0, top / 2, top];
  const labelEvery = Math.max(1, Math.ceil(days.length / 6));
  return (
    <svg
      role="img"
      aria-labelledby={id}
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      width="100%"
      style={{ display: "block", maxHeight: 240 }}
    >
      <title id={id}>{title}</title>
      {ticks.map((t) => (
        <g key={t}>
          <line
            x1={LEFT}
            x2={WIDTH - RIGHT}
            y1={y(t)}
            y2={y(t)}
            stroke="var(--p-color-border-secondary, #ebebeb)"
            strokeWidth={1}
          />
          <text x={LEFT - 6} y={y(t) + 4} textAnchor="end" fontSize={11} fill="var(--p-color-text-secondary, #616161)">
            {Number.isInteger(t) ? t : t.toFixed(1)}
          </text>
        </g>
      ))}
      {days.map((d, i) => {
        const x = LEFT + i * slot + (slot - barWidth) / 2;
        const h = Math.max(d.count > 0 ? 1 : 0, (d.count / top) * plotHeight);
        return (
          <g key={`${d.label}-${i}`}>
            <rect
              x={x}
              y={TOP + plotHeight - h}
              width={barWidth}
              height={h}
              rx={2}
              fill="var(--p-color-icon-info, #0094d5)"
            >
              <title>{`${d.label}: ${d.count} issued`}</title>
            </rect>
            {i % labelEvery === 0 || i === days.length - 1 ? (
              <text
                x={x + barWidth / 2}
                y={HEIGHT - 6}
                textAnchor="middle"
                fontSize={11}
                fill="var(--p-color-text-secondary, #616161)"
              >
                {d.label}
              </text>
            ) : null}
          </g>
        );
      })}
    </svg>
  );
}
