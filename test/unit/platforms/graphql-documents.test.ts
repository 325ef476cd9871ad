import path from "node:path";
import { describe, expect, it } from "vitest";
import { findGraphqlDocuments, invalidDocuments } from "../../support/graphql-documents";

describe("GraphQL documents against the vendored Admin schema (2026-07)", () => {
  it("every document under app/ and extensions/ validates", () => {
    const documents = [...findGraphqlDocuments(path.resolve("app")), ...findGraphqlDocuments(path.resolve("extensions"))];
    expect(documents.length).toBeGreaterThan(0);
    expect(invalidDocuments(documents)).toEqual([]);
  });

  it("a document asking for a field the schema lacks is reported with its file and line", () => {
    const documents = findGraphqlDocuments(path.resolve("test/fixtures/graphql-bad"));
    const problems = invalidDocuments(documents);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/bad-document\.ts:2: Cannot query field "discountCode" on type "Shop"/);
  });
});
