import { describe, expect, it } from "vitest";
import {
  compileTemplate,
  poolNameFitsPlaceholder,
  renamePoolInSource,
  renderTemplate,
  unknownPools,
  type RenderContext,
  type TemplateNode,
} from "../../../app/domain/messages/template";

function compiled(source: string) {
  const result = compileTemplate(source);
  if (result.type !== "compiled") throw new Error(`expected to compile: ${JSON.stringify(result.problems)}`);
  return result;
}

function context(overrides: Partial<RenderContext> = {}): RenderContext {
  return {
    runCode: "RUN-123",
    codeExpiresAt: new Date("2026-12-31T10:00:00Z"),
    customer: { firstName: "Ada", lastName: "Lovelace", email: "ada@example.com" },
    shopName: "Demo Shop",
    poolCodes: new Map([["Summer", "SUMMER-1"]]),
    lastPoolCodes: new Map([["Winter", "WINTER-9"]]),
    triggeredProducts: [],
    escaping: "none",
    ...overrides,
  };
}

function render(source: string, overrides: Partial<RenderContext> = {}): string {
  const { nodes } = compiled(source);
  return renderTemplate(nodes as TemplateNode[], context(overrides));
}

describe("message templates", () => {
  it.each([
    ["{{promoCode}}", "RUN-123"],
    ["{{ promoCode }}", "RUN-123"],
    ["{$dynamic_discount_code}", "RUN-123"],
    ["$!data.get('promocode')", "RUN-123"],
    ['$data.get("promocode")', "RUN-123"],
    ["$!{data.get('promocode')}", "RUN-123"],
  ])("GIVEN the run's code WHEN %s is rendered THEN it shows the code", (source, expected) => {
    expect(render(source)).toBe(expected);
    expect(compiled(source).needs.runCode).toBe(true);
  });

  it("GIVEN customer placeholders WHEN rendered THEN names, email, shop and expiry appear", () => {
    expect(render("Hi {{userName}} ({{email}}) from {{shopName}}, valid until {{codeExpiresAt}}; {{firstName}}/{{lastName}}")).toBe(
      "Hi Ada Lovelace (ada@example.com) from Demo Shop, valid until 2026-12-31; Ada/Lovelace",
    );
  });

  it("GIVEN a customer without a name WHEN {{userName}} is rendered THEN the email stands in", () => {
    expect(render("{{userName}}", { customer: { firstName: null, lastName: null, email: "x@example.com" } })).toBe("x@example.com");
  });

  it("GIVEN pool calls WHEN compiled THEN the pools to issue from and to look up are listed once each", () => {
    const { needs } = compiled(
      "{{client.promocode('Summer')}} {{client.promocode(\"Summer\")}} {{client.last_promocode('Winter')}}",
    );
    expect(needs.initialPools).toEqual(["Summer"]);
    expect(needs.reissuePools).toEqual(["Winter"]);
    expect(needs.runCode).toBe(false);
  });

  it("GIVEN a customer who never got a code from a pool WHEN last_promocode is rendered THEN it is empty", () => {
    expect(render("[{{client.last_promocode('Autumn')}}] [{{client.promocode('Summer')}}] [{{client.last_promocode('Winter')}}]")).toBe(
      "[] [SUMMER-1] [WINTER-9]",
    );
  });

  it("GIVEN a triggered-products block WHEN rendered THEN it repeats once per product", () => {
    const out = render("{{#triggeredProducts}}<{{product.title}}|{{product.url}}>{{/triggeredProducts}}", {
      triggeredProducts: [
        { id: "1", title: "Hat", url: "/products/hat" },
        { id: "2", title: "Scarf", url: null },
      ],
    });
    expect(out).toBe("<Hat|/products/hat><Scarf|>");
  });

  it("GIVEN HTML escaping WHEN values hold markup THEN they are escaped and the template's own markup is not", () => {
    const out = render("<p>{{firstName}} {{promoCode}}</p>", {
      escaping: "html",
      runCode: `A&B"<x>`,
      customer: { firstName: "<script>alert('x')</script>", lastName: null, email: null },
    });
    expect(out).toBe("<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; A&amp;B&quot;&lt;x&gt;</p>");
  });

  it.each([
    ["{{promoKode}}", "Unknown placeholder {{promoKode}}"],
    ["{$discount}", "Unknown placeholder {$discount}"],
    ["$!data.get('coupon')", "Unknown value data.get('coupon')"],
    ["{{client.promocode('')}}", "needs a pool name"],
    ["{{product.title}}", "only available inside"],
    ["{{#triggeredProducts}}{{product.price}}{{/triggeredProducts}}", "Unknown product field"],
    ["{{#triggeredProducts}} never closed", "never closed"],
    ["{{/triggeredProducts}}", "never opened"],
    ["Hello {{promoCode", "never closed"],
    ["Your code: $!data.get('promocode'", "data.get( placeholder is not complete"],
    ["Your code: $data.get(promocode)", "data.get( placeholder is not complete"],
    ["{{}}", "Empty placeholder"],
  ])("GIVEN %j WHEN the template is saved THEN it is refused: %s", (source, message) => {
    const result = compileTemplate(source);
    expect(result.type).toBe("invalid");
    if (result.type === "invalid") expect(result.problems.map((p) => p.message).join("\n")).toContain(message);
  });

  it("GIVEN complete data.get placeholders in each spelling WHEN compiled THEN none is taken for half-written", () => {
    for (const source of ["$!data.get('promocode')", '$data.get("promocode")', "${data.get('promo_code')}", "A $!data.get('promocode') and $!data.get('promocode')"]) {
      expect(compileTemplate(source).type, source).toBe("compiled");
    }
  });

  it("GIVEN a problem on a later line WHEN compiled THEN its line and column are reported", () => {
    const result = compileTemplate("Hello\n  there {{nope}}");
    expect(result).toMatchObject({ type: "invalid", problems: [{ line: 2, column: 9, message: "Unknown placeholder {{nope}}" }] });
  });

  it("GIVEN pool names the shop lacks WHEN checked THEN each missing name is returned once", () => {
    const { needs } = compiled("{{client.promocode('Summer')}} {{client.last_promocode('Gone')}} {{client.promocode('Gone')}}");
    expect(unknownPools(needs, ["Summer"])).toEqual(["Gone"]);
  });
});

describe("renaming a pool in a template's source", () => {
  it("GIVEN both pool placeholders naming the pool in any case and spacing WHEN renamed THEN each names the new pool, and other pools and text stay as they were", () => {
    const source = "{{client.promocode('Welcome')}} {{ client.last_promocode( \"welcome\" ) }} {{client.promocode('Welcome back')}} Welcome {{promoCode}}";
    const renamed = renamePoolInSource(source, "Welcome", "Welcome 2025");
    expect(renamed).toEqual({
      count: 2,
      source: "{{client.promocode('Welcome 2025')}} {{ client.last_promocode( \"Welcome 2025\" ) }} {{client.promocode('Welcome back')}} Welcome {{promoCode}}",
    });
    expect(compiled(renamed.source).needs).toMatchObject({ initialPools: ["Welcome 2025", "Welcome back"], reissuePools: ["Welcome 2025"] });
  });

  it("GIVEN a new name holding the placeholder's quote WHEN renamed THEN the other quote is used, and names with braces or both quotes do not fit", () => {
    expect(renamePoolInSource("{{client.promocode('Spring')}}", "Spring", "Ada's spring").source).toBe(`{{client.promocode("Ada's spring")}}`);
    expect(compiled(`{{client.promocode("Ada's spring")}}`).needs.initialPools).toEqual(["Ada's spring"]);
    expect(poolNameFitsPlaceholder("Ada's spring")).toBe(true);
    expect(poolNameFitsPlaceholder("{VIP}")).toBe(false);
    expect(poolNameFitsPlaceholder(`Ada's "best"`)).toBe(false);
  });
});
