// Bulk mutation operations in the Shopify simulator: stagedUploadsCreate → multipart POST to the storage URL →
// bulkOperationRunMutation → the operation advancing with the clock → the JSONL result file, fetched through msw.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BULK_RESULTS_URL_PREFIX,
  gid,
  ManualClock,
  MAX_CONCURRENT_BULK_MUTATIONS,
  setupFetchOnlyServer,
  shopifyAdminHandlers,
  ShopifySimulator,
  STAGED_UPLOADS_URL,
  type GraphQLResponseBody,
  type SimulatorOptions,
} from "../../../simulator/shopify";
import { at, dataOf } from "./helpers";

// The unit project's setup file already routes fetch to a simulator through msw; its storage handlers serve every
// simulator's staged uploads and result files (they share one storage). Outside it, start our own.
const shared = (globalThis as { __testSimulator?: ShopifySimulator }).__testSimulator;
const live = shared ?? new ShopifySimulator();
const server = shared ? undefined : setupFetchOnlyServer(...shopifyAdminHandlers(live));
beforeAll(() => server?.listen({ onUnhandledFrame: "error" }));
afterAll(() => server?.close());

const SHOP = "bulk-one.myshopify.com";
const OTHER_SHOP = "bulk-two.myshopify.com";

const STAGE = /* GraphQL */ `
  mutation Stage($input: [StagedUploadInput!]!) {
    stagedUploadsCreate(input: $input) {
      stagedTargets {
        url
        resourceUrl
        parameters {
          name
          value
        }
      }
      userErrors {
        field
        message
      }
    }
  }
`;

const RUN = /* GraphQL */ `
  mutation Run($mutation: String!, $path: String!, $client: String) {
    bulkOperationRunMutation(mutation: $mutation, stagedUploadPath: $path, clientIdentifier: $client) {
      bulkOperation {
        id
        type
        status
        query
        objectCount
        rootObjectCount
        createdAt
        url
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

const STATUS = /* GraphQL */ `
  query Status($id: ID!) {
    bulkOperation(id: $id) {
      id
      status
      errorCode
      objectCount
      rootObjectCount
      fileSize
      url
      partialDataUrl
      createdAt
      completedAt
    }
  }
`;

const CANCEL = /* GraphQL */ `
  mutation Cancel($id: ID!) {
    bulkOperationCancel(id: $id) {
      bulkOperation {
        id
        status
      }
      userErrors {
        field
        message
      }
    }
  }
`;

const TAGS_ADD = /* GraphQL */ `
  mutation AddTags($id: ID!, $tags: [String!]!) {
    tagsAdd(id: $id, tags: $tags) {
      node {
        id
      }
      userErrors {
        field
        message
      }
    }
  }
`;

const METAFIELDS_SET = /* GraphQL */ `
  mutation SetCode($metafields: [MetafieldsSetInput!]!) {
    metafieldsSet(metafields: $metafields) {
      metafields {
        key
        value
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

interface Param {
  name: string;
  value: string;
}
interface Target {
  url: string;
  resourceUrl: string | null;
  parameters: Param[];
}
type Op = Record<string, unknown> & { id: string; status: string };

function harness(options: SimulatorOptions = {}) {
  const clock = new ManualClock();
  const sim = new ShopifySimulator({
    clock: clock.now,
    bulkOperations: { startDelayMs: 1000, linesPerSecond: 2 },
    ...options,
  });
  const store = sim.registerShop({ domain: SHOP, accessToken: "shpat_bulk_one" });
  const emails = ["ada@example.com", "bo@example.com", "cy@example.com"];
  const customers = emails.map((email) => store.addCustomer({ email }));
  const other = sim.registerShop({ domain: OTHER_SHOP, accessToken: "shpat_bulk_two" });
  const gql = (query: string, variables?: Record<string, unknown>, shop = SHOP): Promise<GraphQLResponseBody> =>
    sim.graphql(shop, query, variables);
  return { clock, sim, store, other, customerGids: customers.map((c) => gid("Customer", c.id)), gql };
}
type Harness = ReturnType<typeof harness>;

async function stagedTarget(h: Harness, shop = SHOP, filename = "vars.jsonl"): Promise<Target> {
  const input = [{ resource: "BULK_MUTATION_VARIABLES", filename, mimeType: "text/jsonl", httpMethod: "POST" }];
  const staged = at(dataOf(await h.gql(STAGE, { input }, shop)), "stagedUploadsCreate") as {
    stagedTargets: Target[];
    userErrors: unknown[];
  };
  expect(staged.userErrors).toEqual([]);
  expect(staged.stagedTargets).toHaveLength(1);
  return staged.stagedTargets[0]!;
}

const keyOf = (target: Target): string => target.parameters.find((p) => p.name === "key")!.value;

/** The client's upload: every parameter as a form field, then the file (via the real fetch, answered by msw). */
function post(url: string, fields: Param[], file?: Blob | string, after: Param[] = []): Promise<Response> {
  const form = new FormData();
  for (const { name, value } of fields) form.append(name, value);
  if (file !== undefined) {
    if (typeof file === "string") form.append("file", file);
    else form.append("file", file, "vars.jsonl");
  }
  for (const { name, value } of after) form.append(name, value);
  return fetch(url, { method: "POST", body: form });
}

const jsonl = (lines: unknown[]): string =>
  lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join("\n") + "\n";

/** Stages `text` for the shop and returns the stagedUploadPath. */
async function upload(h: Harness, text: string, shop = SHOP): Promise<string> {
  const target = await stagedTarget(h, shop);
  const response = await post(target.url, target.parameters, new Blob([text], { type: "text/jsonl" }));
  expect(response.status).toBe(201);
  return keyOf(target);
}

async function run(h: Harness, mutation: string, path: string, shop = SHOP) {
  return at(dataOf(await h.gql(RUN, { mutation, path, client: "test-run" }, shop)), "bulkOperationRunMutation") as {
    bulkOperation: Op | null;
    userErrors: { field: string[] | null; message: string; code: string }[];
  };
}

async function started(h: Harness, mutation: string, text: string): Promise<Op> {
  const result = await run(h, mutation, await upload(h, text));
  expect(result.userErrors).toEqual([]);
  return result.bulkOperation!;
}

async function status(h: Harness, id: string, shop = SHOP): Promise<Op | null> {
  return at(dataOf(await h.gql(STATUS, { id }, shop)), "bulkOperation") as Op | null;
}

async function resultLines(url: string): Promise<Record<string, unknown>[]> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  const text = await response.text();
  expect(text.endsWith("\n")).toBe(true);
  return text
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const tagsOf = (h: Harness, customerGid: string) =>
  h.sim.state(SHOP).customers.get(customerGid.split("/").pop()!)?.tags;
const MISSING_CUSTOMER = "gid://shopify/Customer/1";

describe("stagedUploadsCreate for bulk mutation variables", () => {
  it("issues a POST policy target on the staged uploads bucket, keyed under the shop's id", async () => {
    const h = harness();
    const target = await stagedTarget(h, SHOP, "tags.jsonl");
    expect(target.url).toBe("https://shopify-staged-uploads.storage.googleapis.com/");
    expect(target.url).toBe(STAGED_UPLOADS_URL);
    expect(target.resourceUrl).toBeNull();
    expect(target.parameters.map((p) => p.name)).toEqual([
      "key",
      "Content-Type",
      "success_action_status",
      "acl",
      "policy",
      "x-goog-credential",
      "x-goog-algorithm",
      "x-goog-date",
      "x-goog-signature",
    ]);
    const value = (name: string) => target.parameters.find((p) => p.name === name)?.value;
    expect(value("key")).toMatch(new RegExp(`^tmp/${h.store.shopId}/bulk/[0-9a-f-]{36}/tags\\.jsonl$`));
    expect(value("Content-Type")).toBe("text/jsonl");
    expect(value("success_action_status")).toBe("201");
    expect(value("acl")).toBe("private");
    expect(value("x-goog-algorithm")).toBe("GOOG4-RSA-SHA256");
    expect(value("x-goog-date")).toMatch(/^\d{8}T\d{6}Z$/);
    expect(value("x-goog-signature")).toMatch(/^[0-9a-f]+$/);
    expect(Buffer.from(value("policy")!, "base64").toString("utf8")).toContain(value("key"));
    // Two targets never share a key.
    expect(keyOf(await stagedTarget(h, SHOP, "tags.jsonl"))).not.toBe(value("key"));
  });

  it("fails loudly for what it does not model: other resources, and PUT (the argument's default)", async () => {
    const h = harness();
    const image = await h.gql(STAGE, {
      input: [{ resource: "IMAGE", filename: "a.png", mimeType: "image/png", httpMethod: "POST" }],
    });
    expect(at(image, "errors", 0, "extensions", "code")).toBe("SIMULATOR_NOT_MODELLED");
    const put = await h.gql(STAGE, {
      input: [{ resource: "BULK_MUTATION_VARIABLES", filename: "a.jsonl", mimeType: "text/jsonl" }],
    });
    expect(at(put, "errors", 0, "extensions", "code")).toBe("SIMULATOR_NOT_MODELLED");
  });
});

describe("the staged upload POST", () => {
  it("stores the file for the shop and answers 201 with a PostResponse naming the key", async () => {
    const h = harness();
    const target = await stagedTarget(h);
    const key = keyOf(target);
    const text = jsonl([{ id: h.customerGids[0], tags: ["a"] }]);
    const response = await post(target.url, target.parameters, new Blob([text], { type: "text/jsonl" }));
    expect(response.status).toBe(201);
    const body = await response.text();
    expect(body).toContain("<PostResponse>");
    expect(body).toContain(`<Key>${key}</Key>`);
    expect(h.sim.stagedUpload(SHOP, key)).toBe(text);
    // The file belongs to the shop that asked for the target.
    expect(h.sim.stagedUpload(OTHER_SHOP, key)).toBeUndefined();
  });

  it("refuses a missing or changed parameter, a parameter sent after the file, and no file at all", async () => {
    const h = harness();
    const target = await stagedTarget(h);
    const key = keyOf(target);
    const file = new Blob(["{}\n"]);
    const without = (name: string) => target.parameters.filter((p) => p.name !== name);
    const changed = (name: string, value: string) =>
      target.parameters.map((p) => (p.name === name ? { name, value } : p));

    const noPolicy = await post(target.url, without("policy"), file);
    expect(noPolicy.status).toBe(400);
    expect(await noPolicy.text()).toMatch(/<Error><Code>InvalidArgument<\/Code>/);

    const otherType = await post(target.url, changed("Content-Type", "text/plain"), file);
    expect(otherType.status).toBe(403);
    expect(await otherType.text()).toMatch(/<Code>AccessDenied<\/Code>.*Content-Type/);

    const noAcl = await post(target.url, without("acl"), file);
    expect(noAcl.status).toBe(403);

    const forged = await post(target.url, changed("x-goog-signature", "00".repeat(256)), file);
    expect(forged.status).toBe(403);
    expect(await forged.text()).toContain("<Code>SignatureDoesNotMatch</Code>");

    // Storage ignores fields after the file, so a parameter sent there is missing.
    const late = await post(target.url, without("acl"), file, [{ name: "acl", value: "private" }]);
    expect(late.status).toBe(403);

    const noFile = await post(target.url, target.parameters);
    expect(noFile.status).toBe(400);
    expect(await noFile.text()).toContain("file");

    expect(h.sim.stagedUpload(SHOP, key)).toBeUndefined();
    const refused = await run(h, TAGS_ADD, key);
    expect(refused.userErrors.map((e) => e.code)).toEqual(["NO_SUCH_FILE"]);
  });

  it("refuses a key it never issued with 403", async () => {
    const h = harness();
    const target = await stagedTarget(h);
    const forged = `tmp/${h.store.shopId}/bulk/00000000-0000-4000-8000-000000000000/vars.jsonl`;
    const fields = target.parameters.map((p) => (p.name === "key" ? { name: "key", value: forged } : p));
    const response = await post(target.url, fields, new Blob(["{}\n"]));
    expect(response.status).toBe(403);
    expect(response.headers.get("content-type")).toMatch(/xml/);
    expect(await response.text()).toContain("<Code>AccessDenied</Code>");
    expect(h.sim.stagedUpload(SHOP, forged)).toBeUndefined();
  });

  it("refuses a file over the limit with EntityTooLarge and accepts one at the limit", async () => {
    // The limit is Shopify's 100 MB by default; a small one here keeps the test from allocating 100 MB.
    const h = harness({ stagedUploadMaxBytes: 64 });
    const target = await stagedTarget(h);
    const tooBig = await post(target.url, target.parameters, new Blob(["x".repeat(65)]));
    expect(tooBig.status).toBe(400);
    expect(await tooBig.text()).toContain("<Code>EntityTooLarge</Code>");
    expect(h.sim.stagedUpload(SHOP, keyOf(target))).toBeUndefined();
    const fits = await post(target.url, target.parameters, new Blob(["x".repeat(64)]));
    expect(fits.status).toBe(201);
  });

  it("uses Shopify's 100 MB by default", () => {
    expect(new ShopifySimulator().stagedUploadMaxBytes).toBe(100 * 1024 * 1024);
  });
});

describe("bulkOperationRunMutation", () => {
  it("runs tagsAdd over the file as the clock moves: CREATED → RUNNING → COMPLETED, one result line per input line", async () => {
    // GIVEN an operation that starts 1 s after creation and runs 2 lines per second
    const h = harness();
    const [ada, bo, cy] = h.customerGids;
    // Line 2 is blank (skipped, but counted in line numbers); line 3 names no customer of the shop.
    const text = jsonl([
      { id: ada, tags: ["vip"] },
      { id: bo, tags: ["vip", "early"] },
      "",
      { id: MISSING_CUSTOMER, tags: ["vip"] },
    ]);
    const path = await upload(h, text);
    const createdAt = h.clock.now();

    // WHEN the mutation is started
    const result = await run(h, TAGS_ADD, path);

    // THEN it is only created
    expect(result.userErrors).toEqual([]);
    const op = result.bulkOperation!;
    expect(op).toMatchObject({
      type: "MUTATION",
      status: "CREATED",
      query: TAGS_ADD,
      objectCount: "0",
      rootObjectCount: "0",
      url: null,
      createdAt: new Date(createdAt).toISOString().replace(/\.\d{3}Z$/, "Z"),
    });
    expect(op.id).toMatch(/^gid:\/\/shopify\/BulkOperation\/\d+$/);
    expect(h.sim.bulkOperations(SHOP).map((o) => o.clientIdentifier)).toEqual(["test-run"]);

    h.clock.advance(999);
    expect((await status(h, op.id))?.status).toBe("CREATED");
    expect(tagsOf(h, ada!)).toEqual([]);

    // AND when the start delay has passed the first line runs
    h.clock.advance(1);
    expect(await status(h, op.id)).toMatchObject({ status: "RUNNING", objectCount: "1", url: null });
    expect(tagsOf(h, ada!)).toEqual(["vip"]);
    expect(tagsOf(h, bo!)).toEqual([]);

    h.clock.advance(500);
    expect(await status(h, op.id)).toMatchObject({ status: "RUNNING", objectCount: "2" });
    expect(tagsOf(h, bo!)).toEqual(["vip", "early"]);

    // AND after the last line it is complete, with a result file
    h.clock.advance(500);
    const done = (await status(h, op.id))!;
    expect(done).toMatchObject({
      status: "COMPLETED",
      objectCount: "3",
      rootObjectCount: "3",
      errorCode: null,
      partialDataUrl: null,
      completedAt: new Date(createdAt + 2000).toISOString().replace(/\.\d{3}Z$/, "Z"),
    });
    expect(tagsOf(h, cy!)).toEqual([]);
    const url = done["url"] as string;
    expect(url.startsWith(BULK_RESULTS_URL_PREFIX)).toBe(true);
    expect(new URL(url).hostname).toBe("storage.googleapis.com");

    // The file is served without any token, as JSONL.
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/jsonl/);
    const body = await response.text();
    expect(done["fileSize"]).toBe(String(Buffer.byteLength(body)));
    const lines = await resultLines(url);
    expect(lines.map((l) => l["__lineNumber"])).toEqual([0, 1, 3]);
    expect(lines[0]).toEqual({ data: { tagsAdd: { node: { id: ada }, userErrors: [] } }, __lineNumber: 0 });
    expect(lines[1]).toEqual({ data: { tagsAdd: { node: { id: bo }, userErrors: [] } }, __lineNumber: 1 });
    expect(lines[2]).toEqual({
      data: { tagsAdd: { node: null, userErrors: [{ field: ["id"], message: "Node does not exist" }] } },
      __lineNumber: 3,
    });

    // The bulk calls themselves were ordinary requests, with a cost; the lines were not requests.
    const runLog = h.sim.requestLog.find((r) => r.rootFields.includes("bulkOperationRunMutation"));
    expect(runLog).toMatchObject({ outcome: "ok", executed: true, requestedCost: 10 });
    expect(h.sim.requestLog.filter((r) => r.rootFields.includes("tagsAdd"))).toEqual([]);
  });

  it("runs the lines outside the leaky bucket: an empty bucket does not hold them back", async () => {
    const h = harness({ bulkOperations: { startDelayMs: 0, linesPerSecond: Infinity } });
    const op = await started(h, TAGS_ADD, jsonl(h.customerGids.map((id) => ({ id, tags: ["free"] }))));
    h.sim.setAvailablePoints(SHOP, 0);
    h.clock.advance(100);
    // state() brings the operation up to now without a request of its own.
    expect(h.sim.state(SHOP).bulkOperations.get(op.id.split("/").pop()!)?.status).toBe("COMPLETED");
    expect(h.customerGids.map((id) => tagsOf(h, id))).toEqual([["free"], ["free"], ["free"]]);
    // 0.1 s of refill at 100 points/s, none of it spent on the three mutations.
    expect(h.sim.throttleStatus(SHOP).currentlyAvailable).toBe(10);
  });

  it("runs metafieldsSet: the metafields are really set", async () => {
    const h = harness({ bulkOperations: { startDelayMs: 0, linesPerSecond: Infinity } });
    const [ada, bo] = h.customerGids;
    const line = (ownerId: string, value: string) => ({
      metafields: [{ ownerId, namespace: "promo_codes", key: "last_code", type: "single_line_text_field", value }],
    });
    const op = await started(h, METAFIELDS_SET, jsonl([line(ada!, "CODE-A"), line(bo!, "CODE-B")]));
    h.clock.advance(1);
    const done = (await status(h, op.id))!;
    expect(done).toMatchObject({ status: "COMPLETED", objectCount: "2" });
    const store = h.sim.state(SHOP);
    expect(store.findMetafield(ada!, "promo_codes", "last_code")?.value).toBe("CODE-A");
    expect(store.findMetafield(bo!, "promo_codes", "last_code")?.value).toBe("CODE-B");
    const lines = await resultLines(done["url"] as string);
    const set = (value: string) => ({ metafieldsSet: { metafields: [{ key: "last_code", value }], userErrors: [] } });
    expect(lines).toEqual([
      { data: set("CODE-A"), __lineNumber: 0 },
      { data: set("CODE-B"), __lineNumber: 1 },
    ]);

    // Written like any other metafield: deleted by a request, set again by the next bulk.
    const deleted = await h.gql(
      `mutation ($m: [MetafieldIdentifierInput!]!) { metafieldsDelete(metafields: $m) { userErrors { message } } }`,
      { m: [{ ownerId: ada, namespace: "promo_codes", key: "last_code" }] },
    );
    expect(at(dataOf(deleted), "metafieldsDelete", "userErrors")).toEqual([]);
    expect(h.sim.state(SHOP).findMetafield(ada!, "promo_codes", "last_code")).toBeUndefined();
    expect(h.sim.state(SHOP).findMetafield(bo!, "promo_codes", "last_code")?.value).toBe("CODE-B");
    await started(h, METAFIELDS_SET, jsonl([line(ada!, "CODE-A2"), line(bo!, "CODE-B2")]));
    h.clock.advance(1);
    expect(h.sim.state(SHOP).findMetafield(ada!, "promo_codes", "last_code")?.value).toBe("CODE-A2");
    expect(h.sim.state(SHOP).findMetafield(bo!, "promo_codes", "last_code")?.value).toBe("CODE-B2");
    expect([...h.sim.state(SHOP).metafields.values()].filter((m) => m.key === "last_code")).toHaveLength(2);
  });

  it("answers a line whose variables do not coerce with an errors line, and runs the others", async () => {
    const h = harness({ bulkOperations: { startDelayMs: 0, linesPerSecond: Infinity } });
    const [ada, bo] = h.customerGids;
    const op = await started(
      h,
      TAGS_ADD,
      jsonl([{ id: ada, tags: ["x"] }, { tags: ["x"] }, { id: bo, tags: "x" }, { id: bo, tags: [7, { no: 1 }] }]),
    );
    h.clock.advance(1);
    const done = (await status(h, op.id))!;
    expect(done).toMatchObject({ status: "COMPLETED", objectCount: "4" });
    const lines = await resultLines(done["url"] as string);
    expect(lines.map((l) => l["__lineNumber"])).toEqual([0, 1, 2, 3]);
    expect(lines[0]).toEqual({ data: { tagsAdd: { node: { id: ada }, userErrors: [] } }, __lineNumber: 0 });
    // A missing required variable: no data, an errors entry.
    expect(lines[1]).not.toHaveProperty("data");
    expect(at(lines[1], "errors", 0, "message")).toMatch(/\$id/);
    expect(at(lines[1], "errors", 0, "extensions", "code")).toBe("INVALID_VARIABLE");
    // A single string coerces to a one-item list (GraphQL input coercion), so line 2 runs.
    expect(lines[2]).toEqual({ data: { tagsAdd: { node: { id: bo }, userErrors: [] } }, __lineNumber: 2 });
    expect(at(lines[3], "errors", 0, "extensions", "code")).toBe("INVALID_VARIABLE");
    expect(tagsOf(h, ada!)).toEqual(["x"]);
    expect(tagsOf(h, bo!)).toEqual(["x"]);
  });

  it("runs each line with the shop's access scopes", async () => {
    const clock = new ManualClock();
    const sim = new ShopifySimulator({
      clock: clock.now,
      bulkOperations: { startDelayMs: 0, linesPerSecond: Infinity },
    });
    const store = sim.registerShop({ domain: SHOP, accessToken: "t", scopes: ["read_products"] });
    const customer = gid("Customer", store.addCustomer({ email: "a@example.com" }).id);
    const gql = (q: string, v?: Record<string, unknown>) => sim.graphql(SHOP, q, v);
    const h = { clock, sim, store, other: store, customerGids: [customer], gql };
    const update = `mutation Note($input: CustomerInput!) {
      customerUpdate(input: $input) { customer { id note } userErrors { message } }
    }`;
    const op = await started(h, update, jsonl([{ input: { id: customer, note: "hi" } }]));
    clock.advance(1);
    const done = (await status(h, op.id))!;
    const lines = await resultLines(done["url"] as string);
    expect(at(lines[0], "errors", 0, "extensions", "code")).toBe("ACCESS_DENIED");
    expect(at(lines[0], "__lineNumber")).toBe(0);
  });

  it("completes an operation without lines with no result file", async () => {
    const h = harness({ bulkOperations: { startDelayMs: 100, linesPerSecond: 10 } });
    const op = await started(h, TAGS_ADD, "\n  \n");
    h.clock.advance(100);
    expect(await status(h, op.id)).toMatchObject({ status: "COMPLETED", objectCount: "0", url: null, fileSize: null });
  });

  it("refuses a mutation that is not exactly one mutation field: INVALID_MUTATION, nothing created", async () => {
    const h = harness();
    const path = await upload(h, jsonl([{ id: h.customerGids[0], tags: ["x"] }]));
    const invalid = {
      query: "query { shop { name } }",
      twoRootFields: `mutation ($id: ID!, $tags: [String!]!) {
        a: tagsAdd(id: $id, tags: $tags) { userErrors { message } }
        b: tagsRemove(id: $id, tags: $tags) { userErrors { message } }
      }`,
      twoOperations: `${TAGS_ADD}
        mutation Other($id: ID!) { tagsRemove(id: $id, tags: ["x"]) { userErrors { message } } }`,
      unknownField: `mutation ($id: ID!) { tagsAdd(id: $id, tags: ["x"]) { nope } }`,
      syntax: "mutation { tagsAdd(",
      nestedBulk: `mutation ($m: String!, $p: String!) {
        bulkOperationRunMutation(mutation: $m, stagedUploadPath: $p) { userErrors { message } }
      }`,
      bulkQuery: `mutation ($q: String!) { bulkOperationRunQuery(query: $q) { userErrors { message } } }`,
    };
    for (const [name, mutation] of Object.entries(invalid)) {
      const result = await run(h, mutation, path);
      expect({ name, bulkOperation: result.bulkOperation, codes: result.userErrors.map((e) => e.code) }).toEqual({
        name,
        bulkOperation: null,
        codes: ["INVALID_MUTATION"],
      });
      expect(result.userErrors[0]?.field).toEqual(["mutation"]);
    }
    expect(h.sim.bulkOperations(SHOP)).toEqual([]);
  });

  it("fails loudly for a mutation the simulator does not model", async () => {
    const h = harness();
    const path = await upload(h, jsonl([{ input: { title: "x" } }]));
    const response = await h.gql(RUN, {
      mutation: `mutation ($input: ProductCreateInput!) { productCreate(product: $input) { userErrors { message } } }`,
      path,
    });
    expect(at(response, "errors", 0, "extensions", "code")).toBe("SIMULATOR_NOT_MODELLED");
    expect(h.sim.bulkOperations(SHOP)).toEqual([]);
  });

  it("answers NO_SUCH_FILE for a path never uploaded (issued or not)", async () => {
    const h = harness();
    const issuedOnly = keyOf(await stagedTarget(h));
    for (const path of [issuedOnly, `tmp/${h.store.shopId}/bulk/made-up/vars.jsonl`]) {
      const result = await run(h, TAGS_ADD, path);
      expect(result.bulkOperation).toBeNull();
      expect(result.userErrors).toEqual([
        expect.objectContaining({ code: "NO_SUCH_FILE", field: ["stagedUploadPath"] }),
      ]);
    }
  });

  it("answers INVALID_STAGED_UPLOAD_FILE when a non-empty line is not a JSON object", async () => {
    const h = harness();
    const good = JSON.stringify({ id: h.customerGids[0], tags: ["x"] });
    for (const text of [`${good}\nnot json\n`, `${good}\n[1, 2]\n`, `"a string"\n`, `null\n`]) {
      const result = await run(h, TAGS_ADD, await upload(h, text));
      expect(result.bulkOperation).toBeNull();
      expect(result.userErrors.map((e) => e.code)).toEqual(["INVALID_STAGED_UPLOAD_FILE"]);
    }
    expect(h.sim.bulkOperations(SHOP)).toEqual([]);
    expect(tagsOf(h, h.customerGids[0]!)).toEqual([]);
  });

  it(`allows ${MAX_CONCURRENT_BULK_MUTATIONS} created or running mutations per shop, then LIMIT_REACHED until one finishes`, async () => {
    const h = harness({ bulkOperations: { startDelayMs: 1000, linesPerSecond: 1 } });
    const text = jsonl([{ id: h.customerGids[0], tags: ["x"] }, { id: h.customerGids[1], tags: ["x"] }]);
    const ops: Op[] = [];
    for (let i = 0; i < 4; i++) ops.push(await started(h, TAGS_ADD, text));
    h.clock.advance(1000); // the first four are RUNNING now
    ops.push(await started(h, TAGS_ADD, text)); // the fifth is CREATED
    expect((await status(h, ops[0]!.id))?.status).toBe("RUNNING");
    expect((await status(h, ops[4]!.id))?.status).toBe("CREATED");

    const sixth = await run(h, TAGS_ADD, await upload(h, text));
    expect(sixth.bulkOperation).toBeNull();
    expect(sixth.userErrors).toEqual([expect.objectContaining({ code: "LIMIT_REACHED", field: null })]);
    // Another shop is not affected.
    const otherPath = await upload(h, jsonl([{ id: MISSING_CUSTOMER, tags: ["x"] }]), OTHER_SHOP);
    const elsewhere = await run(h, TAGS_ADD, otherPath, OTHER_SHOP);
    expect(elsewhere.userErrors).toEqual([]);

    h.clock.advance(1000); // the first four complete
    expect((await status(h, ops[0]!.id))?.status).toBe("COMPLETED");
    const again = await run(h, TAGS_ADD, await upload(h, text));
    expect(again.userErrors).toEqual([]);
    expect(again.bulkOperation?.status).toBe("CREATED");
  });

  it("keeps operations and staged files to their shop", async () => {
    const h = harness();
    const path = await upload(h, jsonl([{ id: h.customerGids[0], tags: ["x"] }]));
    const op = (await run(h, TAGS_ADD, path)).bulkOperation!;
    // The other shop cannot see the operation ...
    expect(await status(h, op.id, OTHER_SHOP)).toBeNull();
    expect(await status(h, op.id, SHOP)).not.toBeNull();
    const cancel = dataOf(await h.gql(CANCEL, { id: op.id }, OTHER_SHOP));
    expect(at(cancel, "bulkOperationCancel", "userErrors", 0, "field")).toEqual(["id"]);
    // ... nor use the file, nor read it
    const stolen = await run(h, TAGS_ADD, path, OTHER_SHOP);
    expect(stolen.userErrors.map((e) => e.code)).toEqual(["NO_SUCH_FILE"]);
    expect(h.sim.stagedUpload(OTHER_SHOP, path)).toBeUndefined();
    expect(h.sim.bulkOperations(OTHER_SHOP)).toEqual([]);
  });

  it("answers null for an unknown operation", async () => {
    const h = harness();
    expect(await status(h, "gid://shopify/BulkOperation/123")).toBeNull();
  });
});

describe("an operation that stops early", () => {
  it("FAILED by the test hook: errorCode, no url, partialDataUrl with the lines run so far, nothing more runs", async () => {
    const h = harness({ bulkOperations: { startDelayMs: 0, linesPerSecond: 1 } });
    const [ada, bo, cy] = h.customerGids;
    const op = await started(h, TAGS_ADD, jsonl([ada, bo, cy].map((id) => ({ id, tags: ["late"] }))));
    h.clock.advance(1000); // lines 0 and 1 are due
    const failed = h.sim.failBulkOperation(SHOP, op.id, "INTERNAL_SERVER_ERROR");
    expect(failed.status).toBe("FAILED");

    const seen = (await status(h, op.id))!;
    expect(seen).toMatchObject({
      status: "FAILED",
      errorCode: "INTERNAL_SERVER_ERROR",
      url: null,
      objectCount: "2",
      completedAt: null,
    });
    const partial = await resultLines(seen["partialDataUrl"] as string);
    expect(partial.map((l) => l["__lineNumber"])).toEqual([0, 1]);
    expect(partial[1]).toEqual({ data: { tagsAdd: { node: { id: bo }, userErrors: [] } }, __lineNumber: 1 });

    h.clock.advance(10_000);
    expect((await status(h, op.id))?.status).toBe("FAILED");
    expect(tagsOf(h, cy!)).toEqual([]);
    expect(() => h.sim.failBulkOperation(SHOP, op.id)).toThrow(/FAILED/);
  });

  it("FAILED before any line ran has no partial data", async () => {
    const h = harness();
    const op = await started(h, TAGS_ADD, jsonl([{ id: h.customerGids[0], tags: ["x"] }]));
    h.sim.failBulkOperation(SHOP, op.id, "TIMEOUT");
    expect(await status(h, op.id)).toMatchObject({
      status: "FAILED",
      errorCode: "TIMEOUT",
      partialDataUrl: null,
      objectCount: "0",
    });
  });

  it("canceled: CANCELING, then CANCELED once the clock moves; lines done stay done", async () => {
    const h = harness({ bulkOperations: { startDelayMs: 0, linesPerSecond: 1 } });
    const [ada, bo, cy] = h.customerGids;
    const op = await started(h, TAGS_ADD, jsonl([ada, bo, cy].map((id) => ({ id, tags: ["c"] }))));
    h.clock.advance(0); // line 0 runs on the next look
    const cancel = at(dataOf(await h.gql(CANCEL, { id: op.id })), "bulkOperationCancel") as Record<string, unknown>;
    expect(cancel).toEqual({ bulkOperation: { id: op.id, status: "CANCELING" }, userErrors: [] });
    h.clock.advance(5000);
    const seen = (await status(h, op.id))!;
    expect(seen).toMatchObject({ status: "CANCELED", objectCount: "1", url: null });
    expect((await resultLines(seen["partialDataUrl"] as string)).map((l) => l["__lineNumber"])).toEqual([0]);
    expect(tagsOf(h, ada!)).toEqual(["c"]);
    expect(tagsOf(h, bo!)).toEqual([]);
    const late = at(dataOf(await h.gql(CANCEL, { id: op.id })), "bulkOperationCancel", "userErrors") as unknown[];
    expect(late).toHaveLength(1);
  });
});

describe("result URLs", () => {
  it("answer 404 NoSuchKey for an unknown object and 403 for a tampered signature", async () => {
    const h = harness({ bulkOperations: { startDelayMs: 0, linesPerSecond: Infinity } });
    const op = await started(h, TAGS_ADD, jsonl([{ id: h.customerGids[0], tags: ["x"] }]));
    h.clock.advance(1);
    const url = new URL((await status(h, op.id))!["url"] as string);

    const unknown = await fetch(`${BULK_RESULTS_URL_PREFIX}bulk-operation-outputs/nothing-here${url.search}`);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain("<Code>NoSuchKey</Code>");

    const tampered = new URL(url);
    tampered.searchParams.set("X-Goog-Signature", "ab".repeat(256));
    expect((await fetch(tampered)).status).toBe(403);
  });
});

describe("through the app's own path", () => {
  it("works end to end over fetch: Admin GraphQL with the token, the storage URLs without", async () => {
    // The simulator behind the msw handlers runs on the real clock (bulk operations start after 1 s by default).
    const domain = `bulk-live-${process.pid}-${Date.now()}.myshopify.com`;
    const token = "shpat_bulk_live";
    const store = live.registerShop({ domain, accessToken: token });
    const customer = gid("Customer", store.addCustomer({ email: "live@example.com" }).id);
    const admin = async (query: string, variables: Record<string, unknown>) => {
      const response = await fetch(`https://${domain}/admin/api/2026-07/graphql.json`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-shopify-access-token": token },
        body: JSON.stringify({ query, variables }),
      });
      expect(response.status).toBe(200);
      return dataOf((await response.json()) as GraphQLResponseBody);
    };
    const input = [
      { resource: "BULK_MUTATION_VARIABLES", filename: "live.jsonl", mimeType: "text/jsonl", httpMethod: "POST" },
    ];
    const target = at(await admin(STAGE, { input }), "stagedUploadsCreate", "stagedTargets", 0) as Target;
    const uploaded = await post(target.url, target.parameters, new Blob([jsonl([{ id: customer, tags: ["live"] }])]));
    expect(uploaded.status).toBe(201);
    const run = at(await admin(RUN, { mutation: TAGS_ADD, path: keyOf(target) }), "bulkOperationRunMutation") as {
      bulkOperation: Op;
      userErrors: unknown[];
    };
    expect(run.userErrors).toEqual([]);
    let done: Op | null = null;
    await expect
      .poll(
        async () => {
          done = at(await admin(STATUS, { id: run.bulkOperation.id }), "bulkOperation") as Op;
          return done.status;
        },
        { timeout: 15_000, interval: 100 },
      )
      .toBe("COMPLETED");
    const lines = await resultLines(done!["url"] as string);
    expect(lines).toEqual([{ data: { tagsAdd: { node: { id: customer }, userErrors: [] } }, __lineNumber: 0 }]);
    expect(live.state(domain).customers.get(customer.split("/").pop()!)?.tags).toEqual(["live"]);
  });
});
