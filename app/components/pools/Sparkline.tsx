// A small line chart of codes issued per day, drawn as inline SVG (no chart library). The title names what it
// shows for screen readers and as a tooltip.
import { useId } from "react";

export interface SparklineProps {
  values: readonly number[];
  title: string;
  width?: number;
  height?: number;
}

export function Sparkline({ values, title, width = 120, height = 28 }: SparklineProps) {
  const id = useId();
  const pad = 2;
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? (width - pad * 2) / (values.length - 1) : 0;
  const points = values.map((v, i) => {
    const x = pad + i * step;
    const y = height - pad - (v / max) * (height - pad * 2);
    return `${x.toFixed(1)},${y.toFixed(1)}`;
  });
  const line = points.join(" ");
  const area =
    points.length > 0
      ? `M${pad},${height - pad} L${points.join(" L")} L${(pad + (values.length - 1) * step).toFixed(1)},${height - pad} Z`
      : "";
  const last = points[points.length - 1];
  return (
    <svg
      role="img"
      aria-labelledby={id}
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      style={{ display: "block", overflow: "visible" }}
    >
      <title id={id}>{title}</title>
      <line
        x1={pad}
        x2={width - pad}
        y1={height - pad}
        y2={height - pad}
        stroke="var(--p-color-border-secondary, #ebebeb)"
        strokeWidth={1}
      />
      {area ? <path d={area} fill="var(--p-color-bg-fill-info, #91d0ff)" fillOpacity={0.35} stroke="none" /> : null}
      {values.length > 1 ? (
        <polyline
          points={line}
          fill="none"
          stroke="var(--p-color-icon-info, #0094d5)"
          strokeWidth={1.5}
          strokeLinejoin="round"
          strokeLinecap="round"
        />
      ) : null}
      {last ? (
        <circle cx={last.split(",")[0]} cy={last.split(",")[1]} r={2} fill="var(--p-color-icon-info, #0094d5)" />
      ) : null}
    </svg>
  );
}
