// Real answers of the API checked against docs/api/openapi.json: for each call, the body must match the schema the
// spec documents for that path, method, status and media type (JSON Schema 2020-12, which OpenAPI 3.1 uses). A
// field renamed, dropped or retyped in the code, or a status the spec does not list, fails here.
import { readFileSync } from "node:fs";
import Ajv2020 from "ajv/dist/2020";
import { describe, expect, it } from "vitest";
import * as importRoute from "../../../app/routes/api.v1.imports.$importId";
import * as pools from "../../../app/routes/api.v1.pools";
import * as pool from "../../../app/routes/api.v1.pools.$poolId";
import * as codes from "../../../app/routes/api.v1.pools.$poolId.codes";
import * as issue from "../../../app/routes/api.v1.pools.$poolId.issue";
import * as retire from "../../../app/routes/api.v1.pools.$poolId.retire";
import { call, createApiShop } from "./helpers";

interface Media {
  schema: object;
}
interface ResponseSpec {
  $ref?: string;
  content?: Record<string, Media>;
}
const spec = JSON.parse(readFileSync("docs/api/openapi.json", "utf8")) as {
  paths: Record<string, Record<string, { responses: Record<string, ResponseSpec> }>>;
  components: { responses: Record<string, ResponseSpec> };
};

// The whole document is one schema resource; each response schema is compiled with its local $refs pointing into it.
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
ajv.addSchema({ ...spec, $id: "openapi.json" });

function responseSchema(path: string, method: string, status: number): object {
  const operation = spec.paths[path]?.[method];
  if (!operation) throw new Error(`${method.toUpperCase()} ${path} is not documented`);
  let response = operation.responses[String(status)];
  if (!response) throw new Error(`${method.toUpperCase()} ${path} does not document ${status}`);
  if (response.$ref) response = spec.components.responses[response.$ref.split("/").pop()!]!;
  const schema = response.content?.["application/json"]?.schema;
  if (!schema) throw new Error(`${method.toUpperCase()} ${path} ${status} has no JSON schema`);
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"openapi.json#/components/')) as object;
}

/** Reads the answer and checks it against the spec; returns the body for the test's own assertions. */
async function documented(path: string, method: string, response: Response, status: number): Promise<Record<string, unknown>> {
  expect(response.status, `${method.toUpperCase()} ${path}`).toBe(status);
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  const body = (await response.json()) as Record<string, unknown>;
  const validate = ajv.compile(responseSchema(path, method, status));
  expect(validate(body) ? [] : validate.errors, `${method.toUpperCase()} ${path} ${status}: ${JSON.stringify(body).slice(0, 400)}`).toEqual([]);
  return body;
}

describe("the API's answers match docs/api/openapi.json", () => {
  it("for pools, uploads, imports, issue, reissue, replays and retire, and their errors", async () => {
    const shop = await createApiShop();
    const key = shop.key;

    const created = await documented("/api/v1/pools", "post", await call(pools, "POST", "/pools", { key, json: { name: "Spec pool", lowStockThreshold: 2 } }), 201);
    const poolId = (created.pool as { id: string }).id;
    const params = { poolId };
    await documented("/api/v1/pools", "post", await call(pools, "POST", "/pools", { key, json: { name: "" } }), 400);
    await documented("/api/v1/pools", "post", await call(pools, "POST", "/pools", { key, json: { name: "spec POOL" } }), 409);

    const upload = await documented(
      "/api/v1/pools/{poolId}/codes",
      "post",
      await call(codes, "POST", `/pools/${poolId}/codes`, { key, params, json: { codes: ["SPEC-1", "SPEC-2", { code: "SPEC-3", expiresAt: "2031-01-01", discount: 10, tag: "vip" }, "", "SPEC-1"] } }),
      200,
    );
    await documented("/api/v1/imports/{importId}", "get", await call(importRoute, "GET", `/imports/${upload.importId as string}`, { key, params: { importId: upload.importId as string } }), 200);
    await documented("/api/v1/pools/{poolId}/codes", "post", await call(codes, "POST", `/pools/${poolId}/codes`, { key, params, json: { codes: [] } }), 400);

    const issueCall = (body: object, idempotencyKey: string) =>
      call(issue, "POST", `/pools/${poolId}/issue`, { key, params, json: body, headers: { "idempotency-key": idempotencyKey } });
    await documented("/api/v1/pools/{poolId}/issue", "post", await issueCall({ customer: { id: "101", email: "ada@example.com" } }, "spec-1"), 201);
    await documented("/api/v1/pools/{poolId}/issue", "post", await issueCall({ customer: { id: "101", email: "ada@example.com" } }, "spec-1"), 200);
    await documented("/api/v1/pools/{poolId}/issue", "post", await issueCall({ customer: { id: "101" }, reissue: true }, "spec-2"), 201);
    await documented("/api/v1/pools/{poolId}/issue", "post", await issueCall({ customer: { id: "102" }, reissue: true }, "spec-3"), 404);
    await documented("/api/v1/pools/{poolId}/issue", "post", await issueCall({ customer: { id: "103" } }, "spec-1"), 422);
    await documented("/api/v1/pools/{poolId}/issue", "post", await issueCall({ customer: 7 }, "spec-4"), 400);

    await documented("/api/v1/pools/{poolId}", "get", await call(pool, "GET", `/pools/${poolId}`, { key, params }), 200);
    await documented("/api/v1/pools", "get", await call(pools, "GET", "/pools", { key, query: { limit: "1" } }), 200);
    await documented("/api/v1/pools", "get", await call(pools, "GET", "/pools", { key, query: { limit: "0" } }), 400);

    await documented("/api/v1/pools/{poolId}/retire", "post", await call(retire, "POST", `/pools/${poolId}/retire`, { key, params, json: { codes: ["SPEC-2"] } }), 200);
    await documented("/api/v1/pools/{poolId}/retire", "post", await call(retire, "POST", `/pools/${poolId}/retire`, { key, params, json: { allUnused: true } }), 200);
    // Everything retired or given out: the pool is empty now.
    await documented("/api/v1/pools/{poolId}/issue", "post", await issueCall({ customer: { id: "104" } }, "spec-5"), 409);

    const unknown = "00000000-0000-4000-8000-000000000000";
    await documented("/api/v1/pools/{poolId}", "get", await call(pool, "GET", `/pools/${unknown}`, { key, params: { poolId: unknown } }), 404);
    await documented("/api/v1/pools", "get", await call(pools, "GET", "/pools", { key: null }), 401);
  });
});
