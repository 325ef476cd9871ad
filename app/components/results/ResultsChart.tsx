// Codes issued and codes redeemed per day, side by side, as an inline SVG that scales to its card. Each bar has
// its own title (day, series, count) for tooltips and screen readers; a legend names the colours.
import { InlineStack, Text } from "@shopify/polaris";
import { useId } from "react";

export interface DayResult {
  /** Already formatted on the server ("Nov 3"). */
  label: string;
  issued: number;
  redeemed: number;
}

const WIDTH = 720;
const HEIGHT = 200;
const LEFT = 36;
const RIGHT = 8;
const TOP = 12;
const BOTTOM = 24;
const ISSUED = "var(--p-color-icon-info, #0094d5)";
const REDEEMED = "var(--p-color-icon-success, #29845a)";

function niceMax(max: number): number {
  if (max <= 4) return 4;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (step * magnitude >= max) return step * magnitude;
  }
  return 10 * magnitude;
}

function Swatch({ color, label }: { color: string; label: string }) {
  return (
    <InlineStack gap="100" blockAlign="center" wrap={false}>
      <span aria-hidden style={{ display: "inline-block", width: 10, height: 10, borderRadius: 2, background: color }} />
      <Text as="span" variant="bodySm" tone="subdued">
        {label}
      </Text>
    </InlineStack>
  );
}

export function ResultsChart({ days, title }: { days: readonly DayResult[]; title: string }) {
  const id = useId();
  const top = niceMax(Math.max(0, ...days.flatMap((d) => [d.issued, d.redeemed])));
  const plotWidth = WIDTH - LEFT - RIGHT;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const slot = days.length > 0 ? plotWidth / days.length : plotWidth;
  const barWidth = Math.max(1.5, slot * 0.35);
  const y = (v: number) => TOP + plotHeight - (v / top) * plotHeight;
  const height = (v: number) => Math.max(v > 0 ? 1 : 0, (v / top) * plotHeight);
  const labelEvery = Math.max(1, Math.ceil(days.length / 6));
  return (
    <div>
      <InlineStack gap="300">
        <Swatch color={ISSUED} label="Issued" />
        <Swatch color={REDEEMED} label="Redeemed" />
      </InlineStack>
      <svg role="img" aria-labelledby={id} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} width="100%" style={{ display: "block", maxHeight: 240 }}>
        <title id={id}>{title}</title>
        {[0, top / 2, top].map((t) => (
          <g key={t}>
            <line x1={LEFT} x2={WIDTH - RIGHT} y1={y(t)} y2={y(t)} stroke="var(--p-color-border-secondary, #ebebeb)" strokeWidth={1} />
            <text x={LEFT - 6} y={y(t) + 4} textAnchor="end" fontSize={11} fill="var(--p-color-text-secondary, #616161)">
              {Number.isInteger(t) ? t : t.toFixed(1)}
            </text>
          </g>
        ))}
        {days.map((d, i) => {
          const x = LEFT + i * slot + (slot - 2 * barWidth) / 2;
          return (
            <g key={`${d.label}-${i}`}>
              <rect x={x} y={TOP + plotHeight - height(d.issued)} width={barWidth} height={height(d.issued)} rx={1.5} fill={ISSUED}>
                <title>{`${d.label}: ${d.issued} issued`}</title>
              </rect>
              <rect x={x + barWidth} y={TOP + plotHeight - height(d.redeemed)} width={barWidth} height={height(d.redeemed)} rx={1.5} fill={REDEEMED}>
                <title>{`${d.label}: ${d.redeemed} redeemed`}</title>
              </rect>
              {i % labelEvery === 0 || i === days.length - 1 ? (
                <text x={x + barWidth} y={HEIGHT - 6} textAnchor="middle" fontSize={11} fill="var(--p-color-text-secondary, #616161)">
                  {d.label}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
    </div>
  );
}
