/**
 * `discountRedeemCodeBulkAdd` is asynchronous at Shopify: the mutation only
 * queues the codes and returns a `DiscountRedeemCodeBulkCreation` whose
 * counters move as a background job imports them. Here the job advances with
 * the simulator's clock (see ShopStore.processBulkCreations), so a test can
 * watch `done` flip by moving a ManualClock.
 */
import { gid, idOf } from "../ids";
import type { BulkCodeEntry, BulkCreationRecord, ShopStore } from "../store";
import { connection, type PageArgs } from "./connection";
import type { ResolverContext, View } from "./context";
import { codeDiscountNodeView, redeemCodeView } from "./discounts";

function entryView(store: ShopStore, entry: BulkCodeEntry): View {
  const redeem = entry.redeemCodeId ? store.redeemCodes.get(entry.redeemCodeId) : undefined;
  return {
    __typename: "DiscountRedeemCodeBulkCreationCode",
    code: entry.code,
    errors: entry.errors.map((e) => ({ ...e, extraInfo: e.extraInfo ?? null })),
    discountRedeemCode: redeem ? redeemCodeView(redeem) : null,
  };
}

export function bulkCreationView(store: ShopStore, bulk: BulkCreationRecord): View {
  const tally = (status: BulkCodeEntry["status"]) => bulk.entries.filter((e) => e.status === status).length;
  return {
    __typename: "DiscountRedeemCodeBulkCreation",
    id: gid("DiscountRedeemCodeBulkCreation", bulk.id),
    createdAt: bulk.createdAt,
    done: tally("pending") === 0,
    codesCount: bulk.entries.length,
    importedCount: tally("imported"),
    failedCount: tally("failed"),
    discountCode: () => {
      const discount = store.discounts.get(bulk.discountId);
      return discount ? codeDiscountNodeView(store, discount) : null;
    },
    codes: (args: PageArgs) =>
      connection(
        bulk.entries.map((entry, index) => ({ entry, index })),
        args,
        ({ index }) => String(index),
        ({ entry }) => entryView(store, entry),
      ),
  };
}

export function bulkCodeQueryFields(store: ShopStore): View {
  return {
    discountRedeemCodeBulkCreation: (args: { id: string }, ctx: ResolverContext) => {
      store.processBulkCreations(ctx.bulkTiming);
      const bulk = store.bulkCreations.get(idOf(args.id, "DiscountRedeemCodeBulkCreation") ?? "");
      return bulk ? bulkCreationView(store, bulk) : null;
    },
  };
}

export function bulkCodeMutationFields(store: ShopStore): View {
  return {
    // More than 250 codes never gets here: like every Admin API input array,
    // `codes` is capped at 250 before execution (MAX_INPUT_SIZE_EXCEEDED).
    discountRedeemCodeBulkAdd: (args: { discountId: string; codes: { code: string }[] }, ctx: ResolverContext) => {
      const discount = store.discounts.get(idOf(args.discountId, "DiscountCodeNode") ?? "");
      if (!discount) {
        return {
          bulkCreation: null,
          userErrors: [
            { field: ["discountId"], message: "Code discount does not exist.", code: "INVALID", extraInfo: null },
          ],
        };
      }
      if (args.codes.length === 0) {
        return {
          bulkCreation: null,
          userErrors: [{ field: ["codes"], message: "Codes can't be blank", code: "BLANK", extraInfo: null }],
        };
      }
      const bulk: BulkCreationRecord = {
        id: store.ids.next(),
        discountId: discount.id,
        createdAt: store.nowIso(),
        createdAtMs: store.now(),
        entries: args.codes.map((c) => ({ code: c.code, status: "pending", errors: [], redeemCodeId: null })),
        nextIndex: 0,
        createdBy: ctx.app,
      };
      store.bulkCreations.set(bulk.id, bulk);
      store.processBulkCreations(ctx.bulkTiming);
      return { bulkCreation: bulkCreationView(store, bulk), userErrors: [] };
    },
  };
}
