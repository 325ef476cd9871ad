/** The shop itself and the calling app's installation. */
import { gid } from "../ids";
import type { ShopStore } from "../store";
import type { ShopPlan } from "../cost";
import { metafieldFields } from "./metafields";
import type { ResolverContext, View } from "./context";

export interface AppIdentity {
  readonly id: string;
  readonly title: string;
  readonly handle: string;
  readonly apiKey: string;
}

const PLAN_NAMES: Readonly<Record<ShopPlan, string>> = {
  basic: "Basic",
  standard: "Grow",
  advanced: "Advanced",
  plus: "Plus",
  enterprise: "Shopify for enterprise",
  development: "Development",
};

export function shopView(store: ShopStore): View {
  const profile = store.profile;
  const ownerGid = gid("Shop", store.shopId);
  return {
    __typename: "Shop",
    id: ownerGid,
    name: profile.name,
    email: profile.email,
    contactEmail: profile.email,
    shopOwnerName: `${profile.name} Owner`,
    description: null,
    myshopifyDomain: profile.domain,
    url: `https://${profile.domain}`,
    primaryDomain: {
      __typename: "Domain",
      id: gid("Domain", store.shopId),
      host: profile.domain,
      url: `https://${profile.domain}`,
      sslEnabled: true,
    },
    currencyCode: profile.currencyCode,
    enabledPresentmentCurrencies: [profile.currencyCode],
    ianaTimezone: profile.ianaTimezone,
    timezoneAbbreviation: "UTC",
    timezoneOffset: "+0000",
    timezoneOffsetMinutes: 0,
    weightUnit: "KILOGRAMS",
    taxesIncluded: false,
    setupRequired: false,
    checkoutApiSupported: true,
    plan: {
      __typename: "ShopPlan",
      displayName: PLAN_NAMES[profile.plan],
      publicDisplayName: PLAN_NAMES[profile.plan],
      partnerDevelopment: profile.plan === "development",
      shopifyPlus: profile.plan === "plus" || profile.plan === "enterprise",
    },
    ...metafieldFields(store, ownerGid),
  };
}

export function appView(app: AppIdentity): View {
  return { __typename: "App", id: gid("App", app.id), title: app.title, handle: app.handle, apiKey: app.apiKey };
}

export function shopQueryFields(store: ShopStore, app: AppIdentity): View {
  return {
    shop: () => shopView(store),
    app: (args: { id?: string | null }) => (args.id && args.id !== gid("App", app.id) ? null : appView(app)),
    currentAppInstallation: (_args: unknown, ctx: ResolverContext) => ({
      __typename: "AppInstallation",
      id: gid("AppInstallation", `${ctx.appId}${store.shopId.slice(-6)}`),
      app: appView(app),
      launchUrl: `https://admin.shopify.com/store/${store.profile.domain.replace(".myshopify.com", "")}/apps/${app.handle}`,
    }),
  };
}
