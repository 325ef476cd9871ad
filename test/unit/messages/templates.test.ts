import { describe, expect, it } from "vitest";
import { deleteTemplate, listTemplates, previewTemplate, saveTemplate } from "../../../app/services/templates.server";
import { createPoolWithCodes } from "../../support/pools";
import { createTestShop } from "../../support/shops";

describe("saving message templates", () => {
  it("GIVEN a valid template WHEN saved THEN what it needs is stored with it", async () => {
    const shop = await createTestShop();
    await createPoolWithCodes(shop, ["S-1"], { name: "Summer Sale" });
    await createPoolWithCodes(shop, [], { name: "Winter" });
    const result = await saveTemplate(shop.db, shop.id, {
      name: " Welcome ",
      channel: "EMAIL",
      subject: "Hi {{firstName}}",
      body: "<p>{{promoCode}} {{client.promocode('summer sale')}} {{client.last_promocode(\"Winter\")}}</p>{{#triggeredProducts}}{{product.title}}{{/triggeredProducts}}",
    });
    expect(result.type).toBe("saved");
    if (result.type !== "saved") return;
    expect(result.template).toMatchObject({ name: "Welcome", channel: "EMAIL", subject: "Hi {{firstName}}" });
    expect(result.template.needs).toEqual({ runCode: true, initialPools: ["summer sale"], reissuePools: ["Winter"], triggeredProducts: true });
  });

  it("GIVEN an unknown placeholder WHEN saved THEN it is refused with the line and column next to the field, and nothing is stored", async () => {
    const shop = await createTestShop();
    const result = await saveTemplate(shop.db, shop.id, { name: "Bad", channel: "EMAIL", subject: "Hello {{frstName}}", body: "Line one\n  {{promoKode}}" });
    expect(result.type).toBe("invalid");
    if (result.type !== "invalid") return;
    expect(result.errors.subject).toBe("Line 1, column 7: Unknown placeholder {{frstName}}");
    expect(result.errors.body).toBe("Line 2, column 3: Unknown placeholder {{promoKode}}");
    expect(result.problems).toEqual([
      { field: "subject", line: 1, column: 7, message: "Unknown placeholder {{frstName}}" },
      { field: "body", line: 2, column: 3, message: "Unknown placeholder {{promoKode}}" },
    ]);
    expect(await shop.db.messageTemplate.count()).toBe(0);
  });

  it("GIVEN a pool name the shop does not have (or only had) WHEN saved THEN it is refused where the placeholder is", async () => {
    const shop = await createTestShop();
    const deleted = await createPoolWithCodes(shop, [], { name: "Old" });
    await shop.db.pool.update({ where: { id: deleted.id }, data: { deletedAt: new Date() } });
    const result = await saveTemplate(shop.db, shop.id, {
      name: "Pools",
      channel: "SMS",
      subject: null,
      body: "Code:\n{{client.promocode('Nope')}} and {{client.last_promocode('Old')}}",
    });
    expect(result).toMatchObject({
      type: "invalid",
      errors: { body: 'Line 2, column 1: There is no pool named "Nope" in this store\nLine 2, column 34: There is no pool named "Old" in this store' },
    });
  });

  it("GIVEN a template with an unknown placeholder and an unknown pool WHEN saved THEN both are reported in one pass, in line order", async () => {
    const shop = await createTestShop();
    const result = await saveTemplate(shop.db, shop.id, { name: "Both", channel: "SMS", subject: null, body: "{{client.promocode('Nope')}}\n{{promoKode}}" });
    expect(result).toMatchObject({
      type: "invalid",
      errors: { body: 'Line 1, column 1: There is no pool named "Nope" in this store\nLine 2, column 1: Unknown placeholder {{promoKode}}' },
    });
  });

  it.each([
    { label: "no name", input: { name: "", channel: "EMAIL", subject: "s", body: "b" }, field: "name", message: "Give the template a name" },
    { label: "an email without subject", input: { name: "n", channel: "EMAIL", subject: "", body: "b" }, field: "subject", message: "An email needs a subject" },
    { label: "a blank body", input: { name: "n", channel: "SMS", subject: null, body: "  " }, field: "body", message: "Write the message" },
    {
      label: "an SMS of 1,601 characters",
      input: { name: "n", channel: "SMS", subject: null, body: "x".repeat(1601) },
      field: "body",
      message: "Keep the message under 1,600 characters",
    },
    { label: "an unknown channel", input: { name: "n", channel: "FAX", subject: null, body: "b" }, field: "channel", message: "Choose email, SMS or push" },
  ])("GIVEN $label WHEN saved THEN the $field field says: $message", async ({ input, field, message }) => {
    const shop = await createTestShop();
    const result = await saveTemplate(shop.db, shop.id, input);
    expect(result.type).toBe("invalid");
    if (result.type === "invalid") expect(result.errors[field as keyof typeof result.errors]).toBe(message);
  });

  it("GIVEN {{product.url}} on a Shopify store WHEN previewed and saved THEN it links to the product's page on the shop's own domain, or the home page for a product never viewed", async () => {
    const shop = await createTestShop();
    await shop.db.product.create({ data: { shopId: shop.id, platformId: "gid://shopify/Product/1", title: "Trail Runner", url: "/products/trail-runner" } });
    await shop.db.product.create({ data: { shopId: shop.id, platformId: "gid://shopify/Product/2", title: "Ordered only" } });
    const input = {
      name: "Viewed",
      channel: "EMAIL",
      subject: "Still thinking?",
      body: "<p>Hi</p>\n{{#triggeredProducts}}<a href=\"{{ product.url }}\">{{product.title}}</a>{{/triggeredProducts}}",
    };
    const preview = await previewTemplate(shop.db, input);
    expect(preview.type).toBe("preview");
    if (preview.type !== "preview") return;
    expect(preview.body).toContain(`<a href="https://${shop.domain}/products/trail-runner">Trail Runner</a>`);
    expect(preview.body).toContain(`<a href="https://${shop.domain}/">Ordered only</a>`);
    expect(await saveTemplate(shop.db, shop.id, input)).toMatchObject({ type: "saved" });
  });

  it("GIVEN {{product.url}} on a Magento store WHEN saved or previewed THEN it is refused where it is, saying why (its events carry no link), and nothing is stored", async () => {
    const shop = await createTestShop({ platform: "MAGENTO" });
    const input = {
      name: "Viewed",
      channel: "EMAIL",
      subject: "Still thinking?",
      body: "<p>Hi</p>\n{{#triggeredProducts}}<a href=\"{{ product.url }}\">{{product.title}}</a>{{/triggeredProducts}}",
    };
    const message =
      "{{product.url}} is not available on a Magento store: its product events carry no link, so it would always be empty. Use {{product.title}}, and link to your store yourself";
    const saved = await saveTemplate(shop.db, shop.id, input);
    expect(saved).toEqual({ type: "invalid", errors: { body: `Line 2, column 32: ${message}` }, problems: [{ field: "body", line: 2, column: 32, message }] });
    expect(await shop.db.messageTemplate.count()).toBe(0);
    expect(await previewTemplate(shop.db, input)).toMatchObject({ type: "invalid", errors: { body: `Line 2, column 32: ${message}` } });
  });

  it("GIVEN a template name in use WHEN another is saved with it THEN it is refused; editing keeps the name and updates needs", async () => {
    const shop = await createTestShop();
    const first = await saveTemplate(shop.db, shop.id, { name: "Promo", channel: "SMS", subject: null, body: "{{promoCode}}" });
    if (first.type !== "saved") throw new Error("first");
    expect(await saveTemplate(shop.db, shop.id, { name: "Promo", channel: "SMS", subject: null, body: "x" })).toEqual({ type: "name_taken" });
    const edited = await saveTemplate(shop.db, shop.id, { name: "Promo", channel: "SMS", subject: null, body: "Hi {{userName}}" }, first.template.id);
    expect(edited).toMatchObject({ type: "saved", template: { id: first.template.id, body: "Hi {{userName}}", needs: { runCode: false } } });
    expect(await saveTemplate(shop.db, shop.id, { name: "X", channel: "SMS", subject: null, body: "x" }, "00000000-0000-4000-8000-000000000000")).toEqual({ type: "not_found" });
  });

  it("GIVEN templates with messages WHEN listed THEN sent and failed counts show; deleting keeps the messages", async () => {
    const shop = await createTestShop();
    const saved = await saveTemplate(shop.db, shop.id, { name: "Counted", channel: "SMS", subject: null, body: "hi" });
    if (saved.type !== "saved") throw new Error("saved");
    const base = { shopId: shop.id, templateId: saved.template.id, channel: "SMS" as const, recipient: "+1", body: "hi" };
    await shop.db.message.createMany({
      data: [
        { ...base, dedupeKey: "a", status: "SENT" },
        { ...base, dedupeKey: "b", status: "SENT" },
        { ...base, dedupeKey: "c", status: "FAILED" },
        { ...base, dedupeKey: "d", status: "QUEUED" },
      ],
    });
    expect(await listTemplates(shop.db)).toMatchObject([{ name: "Counted", sent: 2, failed: 1 }]);
    expect(await deleteTemplate(shop.db, saved.template.id)).toBe(true);
    expect(await shop.db.message.count({ where: { templateId: null } })).toBe(4);
  });
});

describe("previewing a template", () => {
  it("GIVEN a shop with customers WHEN previewed THEN it renders as the chosen customer would get it, with sample codes and nothing issued", async () => {
    const shop = await createTestShop({ name: "Demo Shop" });
    await createPoolWithCodes(shop, ["REAL-1"], { name: "Summer Sale" });
    const ada = await shop.db.customer.create({ data: { shopId: shop.id, platformId: "1", email: "ada@example.com", firstName: "Ada", lastName: "<L>" } });
    await shop.db.customer.create({ data: { shopId: shop.id, platformId: "2", email: "bob@example.com", firstName: "Bob" } });
    const preview = await previewTemplate(
      shop.db,
      { name: "", channel: "EMAIL", subject: "For {{firstName}}", body: "<p>{{userName}}: {{promoCode}} / {{client.promocode('Summer Sale')}} at {{shopName}}</p>" },
      { customerId: ada.id, now: new Date("2026-11-21T00:00:00Z") },
    );
    expect(preview).toEqual({
      type: "preview",
      subject: "For Ada",
      body: "<p>Ada &lt;L&gt;: SAMPLE-CODE / SUMMER-SALE-SAMPLE at Demo Shop</p>",
      text: "Ada <L>: SAMPLE-CODE / SUMMER-SALE-SAMPLE at Demo Shop",
      customer: { id: ada.id, label: "Ada <L> (ada@example.com)", sample: false },
    });
    await expect(shop.db.code.findFirstOrThrow({ where: { code: "REAL-1" } })).resolves.toMatchObject({ status: "AVAILABLE" });
    expect(await shop.db.issuance.count()).toBe(0);
    expect(await shop.db.message.count()).toBe(0);
  });

  it("GIVEN a shop without customers WHEN previewed THEN a made-up customer stands in", async () => {
    const shop = await createTestShop();
    const preview = await previewTemplate(shop.db, { name: "", channel: "SMS", subject: null, body: "Hi {{firstName}} {{#triggeredProducts}}[{{product.title}}]{{/triggeredProducts}}" });
    expect(preview).toMatchObject({ type: "preview", body: "Hi Jane [Linen shirt][Canvas tote]", customer: { id: null, sample: true } });
  });

  it("GIVEN an unknown placeholder WHEN previewed THEN the problem comes back instead of a preview", async () => {
    const shop = await createTestShop();
    const preview = await previewTemplate(shop.db, { name: "", channel: "SMS", subject: null, body: "{{nope}}" });
    expect(preview).toMatchObject({ type: "invalid", errors: { body: "Line 1, column 1: Unknown placeholder {{nope}}" } });
  });
});
