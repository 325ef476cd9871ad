// Formats results for the ResultsCard on the server, so every page shows rates, money and days the same way.
import type { Results } from "../../services/results.server";
import type { ResultsView } from "./ResultsCard";

export function resultsView(results: Results, currency: string | null): ResultsView {
  const money = new Intl.NumberFormat("en-US", { style: "currency", currency: currency ?? "USD" });
  return {
    issued: results.issued,
    delivered: results.delivered,
    redeemed: results.redeemed,
    rate: results.redemptionRate === null ? "—" : `${(results.redemptionRate * 100).toFixed(1)}%`,
    revenue: money.format(Number(results.revenue)),
    days: results.daily.map((d) => ({
      label: new Date(`${d.day}T00:00:00Z`).toLocaleDateString("en-US", { month: "short", day: "numeric", timeZone: "UTC" }),
      issued: d.issued,
      redeemed: d.redeemed,
    })),
  };
}
