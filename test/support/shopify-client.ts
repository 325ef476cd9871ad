// An Admin API client for unit tests whose requests go to the store simulator (which the unit setup starts), except
// the Flow trigger, which the simulator does not model: that one is checked against the Admin schema, recorded,
// and answered as the test says.
import { expect } from "vitest";
import { ShopifyAdminClient, type RawGraphql } from "../../app/platforms/shopify/admin-client.server";
import type { ShopifySimulator } from "../../simulator/shopify";
import { validateAdminDocument } from "../../simulator/shopify/schema";
import type { TestShop } from "./shops";

export function simulator() {
  const sim = globalThis.__testSimulator;
  if (!sim) throw new Error("the unit setup starts the simulator");
  return sim;
}

/** The Admin API transport of a ShopifyAdminClient whose requests a store simulator answers, as the shop's app. */
export function simulatorTransport(sim: ShopifySimulator, shop: Pick<TestShop, "domain" | "accessToken">): RawGraphql {
  return async (query, options) => {
    const response = await sim.handle({ shop: shop.domain, apiVersion: "2026-07", accessToken: shop.accessToken, body: { query, variables: options?.variables } });
    return Response.json(response.body, { status: response.status, headers: response.headers });
  };
}

export interface FlowCall {
  handle: unknown;
  payload: Record<string, unknown>;
}

/**
 * An Admin client whose requests go to the store simulator, except the Flow trigger (not modelled there): that one is
 * checked against the Admin schema and recorded, then answered as `flow` says.
 */
export function clientWithFlow(shop: TestShop, flow: () => "ok" | "throttled" | "lost") {
  const calls: FlowCall[] = [];
  const raw: RawGraphql = async (query, options) => {
    if (query.includes("flowTriggerReceive")) {
      expect(validateAdminDocument(query)).toEqual([]);
      const variables = options?.variables as { handle: unknown; payload: Record<string, unknown> };
      const mode = flow();
      if (mode === "throttled") {
        return Response.json({ errors: [{ message: "Throttled", extensions: { code: "THROTTLED" } }] });
      }
      calls.push({ handle: variables.handle, payload: variables.payload });
      if (mode === "lost") throw new TypeError("fetch failed: socket hang up");
      return Response.json({ data: { flowTriggerReceive: { userErrors: [] } } });
    }
    return simulatorTransport(simulator(), shop)(query, options);
  };
  const client = new ShopifyAdminClient(shop.domain, raw, { maxThrottleRetries: 0, sleep: async () => undefined });
  return { calls, client };
}

