// Finds every GraphQL document the app can send (template strings starting with #graphql) and validates each
// against the vendored Admin schema of the pinned version.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { validateAdminDocument } from "../../simulator/shopify/schema";

export interface FoundDocument {
  file: string;
  line: number;
  source: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : sourceFiles(full);
    return /\.(ts|tsx|js|mjs)$/.test(entry.name) ? [full] : [];
  });
}

export function findGraphqlDocuments(dir: string): FoundDocument[] {
  return sourceFiles(dir).flatMap((file) => {
    const text = readFileSync(file, "utf8");
    return [...text.matchAll(/`(#graphql[\s\S]*?)`/g)].map((match) => ({
      file,
      line: text.slice(0, match.index).split("\n").length,
      source: match[1] ?? "",
    }));
  });
}

export function invalidDocuments(documents: FoundDocument[]): string[] {
  return documents.flatMap((doc) =>
    validateAdminDocument(doc.source).map((error) => `${doc.file}:${doc.line}: ${error.message}`),
  );
}
