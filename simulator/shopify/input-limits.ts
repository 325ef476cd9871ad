/**
 * Shopify rejects a request whose input arrays hold more than 250 items
 * ("Input arguments that accept an array have a maximum size of 250 for all
 * APIs"), before anything executes. This walks every field argument of the
 * selected operation, including values that come from variables.
 */
import {
  getArgumentValues,
  GraphQLError,
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type ArgumentNode,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from "graphql";

export const MAX_INPUT_ARRAY_SIZE = 250;

function oversized(value: unknown, path: (string | number)[]): { size: number; path: (string | number)[] } | undefined {
  if (Array.isArray(value)) {
    if (value.length > MAX_INPUT_ARRAY_SIZE) return { size: value.length, path };
    for (let i = 0; i < value.length; i++) {
      const found = oversized(value[i], [...path, i]);
      if (found) return found;
    }
  } else if (typeof value === "object" && value !== null) {
    for (const [key, inner] of Object.entries(value)) {
      const found = oversized(inner, [...path, key]);
      if (found) return found;
    }
  }
  return undefined;
}

export function findOversizedInputArray(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>>,
): GraphQLError | undefined {
  const typeInfo = new TypeInfo(schema);
  let error: GraphQLError | undefined;
  const definitions = document.definitions.filter((d) => d === operation || d.kind === Kind.FRAGMENT_DEFINITION);
  for (const definition of definitions) {
    visit(
      definition,
      visitWithTypeInfo(typeInfo, {
        Field(node) {
          if (error) return false;
          const def = typeInfo.getFieldDef();
          if (!def || !node.arguments?.length) return undefined;
          let values: Record<string, unknown>;
          try {
            values = getArgumentValues(def, node, variables as Record<string, unknown>);
          } catch {
            return undefined; // another operation's variables; not this request's concern
          }
          for (const [name, value] of Object.entries(values)) {
            const found = oversized(value, [node.name.value, name]);
            if (found) {
              const argNode: ArgumentNode | undefined = node.arguments.find((a) => a.name.value === name);
              error = new GraphQLError(
                `The input array size of ${found.size} is greater than the maximum allowed of ${MAX_INPUT_ARRAY_SIZE}.`,
                { nodes: argNode ?? node, path: found.path, extensions: { code: "MAX_INPUT_SIZE_EXCEEDED" } },
              );
              return false;
            }
          }
          return undefined;
        },
      }),
    );
    if (error) break;
  }
  return error;
}
