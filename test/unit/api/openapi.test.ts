// docs/api/openapi.json is the API's contract: every /api/v1 route is documented with exactly the methods it
// answers, every documented path is a route, every $ref resolves, and the error codes match the code's.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import routes from "../../../app/routes";
import * as openapiRoute from "../../../app/routes/api.v1.openapi-json";
import { API_ERROR_CODES } from "../../../app/services/api/errors";
import { call } from "./helpers";

interface Operation {
  operationId?: string;
  security?: unknown[];
  responses: Record<string, unknown>;
}
type PathItem = Record<string, Operation> & { parameters?: { name: string; in: string }[] };
interface Spec {
  openapi: string;
  paths: Record<string, PathItem>;
  components: { schemas: Record<string, { enum?: string[] }>; responses: Record<string, unknown> };
  security: unknown[];
}

const spec = JSON.parse(readFileSync("docs/api/openapi.json", "utf8")) as Spec;
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

interface RouteEntry {
  path?: string;
  file: string;
  children?: RouteEntry[];
}

function flatten(entries: readonly RouteEntry[], parent = ""): { path: string; file: string }[] {
  return entries.flatMap((entry) => {
    const path = entry.path === undefined ? parent : parent ? `${parent}/${entry.path}` : entry.path;
    return [{ path, file: entry.file }, ...flatten(entry.children ?? [], path)];
  });
}

/** The /api/v1 endpoints in app/routes.ts, as OpenAPI paths (the catch-all 404 is not an endpoint). */
const apiRoutes = flatten(routes as unknown as RouteEntry[])
  .filter((r) => r.path.startsWith("api/v1/") && !r.path.endsWith("*"))
  .map((r) => ({ ...r, openapiPath: `/${r.path.replace(/:([A-Za-z0-9_]+)/g, "{$1}")}` }));

function operations(item: PathItem): [string, Operation][] {
  return Object.entries(item).filter(([key]) => METHODS.includes(key)) as [string, Operation][];
}

describe("docs/api/openapi.json", () => {
  it("is OpenAPI 3.1 with both ways of sending the key as the default security", () => {
    expect(spec.openapi).toMatch(/^3\.1\./);
    expect(spec.security).toEqual([{ bearerAuth: [] }, { apiKeyHeader: [] }]);
  });

  it("documents every /api/v1 route in app/routes.ts, and nothing else", () => {
    expect(apiRoutes.length).toBeGreaterThanOrEqual(8);
    expect(Object.keys(spec.paths).sort()).toEqual(apiRoutes.map((r) => r.openapiPath).sort());
  });

  it("documents exactly the methods each route answers (its Allow header)", async () => {
    for (const route of apiRoutes) {
      expect(route.file).toMatch(/^routes\/api\.v1\..+\.ts$/);
      const name = route.file.slice("routes/".length, -".ts".length);
      const module = (await import(`../../../app/routes/${name}.ts`)) as Parameters<typeof call>[0];
      const response = await call(module, "OPTIONS", route.openapiPath.replace("/api/v1", ""));
      expect(response.status).toBe(204);
      const allowed = response.headers
        .get("allow")!
        .split(", ")
        .filter((m) => m !== "HEAD" && m !== "OPTIONS")
        .map((m) => m.toLowerCase())
        .sort();
      const documented = operations(spec.paths[route.openapiPath]!).map(([m]) => m).sort();
      expect(documented, route.openapiPath).toEqual(allowed);
    }
  });

  it("gives every operation an id, its auth errors, and a 404 wherever a path names a resource", () => {
    const ids = new Set<string>();
    for (const [path, item] of Object.entries(spec.paths)) {
      const pathParams = (path.match(/\{([^}]+)\}/g) ?? []).map((p) => p.slice(1, -1));
      const declared = (item.parameters ?? []).filter((p) => p.in === "path").map((p) => p.name);
      expect(declared.sort(), path).toEqual(pathParams.sort());
      for (const [method, op] of operations(item)) {
        const where = `${method.toUpperCase()} ${path}`;
        expect(op.operationId, where).toBeTruthy();
        expect(ids.has(op.operationId!), where).toBe(false);
        ids.add(op.operationId!);
        const responses = Object.keys(op.responses);
        expect(responses.some((s) => s.startsWith("2")), where).toBe(true);
        const isPublic = Array.isArray(op.security) && op.security.length === 0;
        if (!isPublic) {
          expect(responses, where).toEqual(expect.arrayContaining(["401", "403", "500"]));
        }
        if (pathParams.length > 0) expect(responses, where).toContain("404");
        if (method === "post") expect(responses, where).toEqual(expect.arrayContaining(["400", "413", "415"]));
      }
    }
  });

  it("resolves every $ref", () => {
    const refs: string[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === "object") {
        for (const [key, value] of Object.entries(node)) {
          if (key === "$ref" && typeof value === "string") refs.push(value);
          else walk(value);
        }
      }
    };
    walk(spec);
    expect(refs.length).toBeGreaterThan(20);
    for (const ref of refs) {
      expect(ref.startsWith("#/")).toBe(true);
      let target: unknown = spec;
      for (const part of ref.slice(2).split("/")) target = (target as Record<string, unknown> | undefined)?.[part];
      expect(target, ref).toBeDefined();
    }
  });

  it("lists exactly the error codes the API uses", () => {
    expect([...spec.components.schemas.ErrorCode!.enum!].sort()).toEqual([...API_ERROR_CODES].sort());
  });

  it("is served at /api/v1/openapi.json without a key", async () => {
    const response = await call(openapiRoute, "GET", "/openapi.json");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(spec);
  });
});
