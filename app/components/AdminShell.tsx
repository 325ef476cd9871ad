// The admin frame. Embedded in Shopify, App Bridge draws the navigation in the admin's sidebar (NavMenu);
// standing alone (demo, browser tests) Polaris draws it. Pages render the same either way.
import { NavMenu } from "@shopify/app-bridge-react";
import { AppProvider, Frame, Navigation } from "@shopify/polaris";
import enTranslations from "@shopify/polaris/locales/en.json";
import type { ReactNode } from "react";
import { Link as RouterLink, useLocation } from "react-router";
import { NAV_ITEMS, withSearch } from "./nav";

type LinkProps = { url: string; children?: ReactNode; external?: boolean } & Record<string, unknown>;

function PolarisLink({ url, children, external, ...rest }: LinkProps) {
  if (external || /^https?:/.test(url)) {
    return (
      <a href={url} target="_blank" rel="noopener noreferrer" {...rest}>
        {children}
      </a>
    );
  }
  return (
    <RouterLink to={url} {...rest}>
      {children}
    </RouterLink>
  );
}

export function AdminShell({ embedded, apiKey, children }: { embedded: boolean; apiKey: string; children: ReactNode }) {
  const location = useLocation();
  if (embedded) {
    return (
      <>
        <script src="https://cdn.shopify.com/shopifycloud/app-bridge.js" data-api-key={apiKey} />
        <AppProvider i18n={enTranslations} linkComponent={PolarisLink}>
          <NavMenu>
            {NAV_ITEMS.map((item) => (
              <RouterLink key={item.path} to={withSearch(item.path, location.search)} rel={item.path === "/app" ? "home" : undefined}>
                {item.label}
              </RouterLink>
            ))}
          </NavMenu>
          {children}
        </AppProvider>
      </>
    );
  }
  const navigation = (
    <Navigation location={location.pathname}>
      <Navigation.Section
        title="Promo codes"
        items={NAV_ITEMS.map((item) => ({
          label: item.label,
          url: withSearch(item.path, location.search),
          selected: item.path === "/app" ? location.pathname === "/app" : location.pathname.startsWith(item.path),
        }))}
      />
    </Navigation>
  );
  return (
    <AppProvider i18n={enTranslations} linkComponent={PolarisLink}>
      <Frame navigation={navigation}>{children}</Frame>
    </AppProvider>
  );
}
