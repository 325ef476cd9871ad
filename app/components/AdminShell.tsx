// The admin frame. Embedded in Shopify, App Bridge draws the navigation in the admin's sidebar (NavMenu);
// standing alone (demo, browser tests) Polaris draws it. Pages render the same either way. Unsaved edits get App
// Bridge's save bar embedded and Polaris' standing alone (UnsavedChanges).
import { NavMenu } from "@shopify/app-bridge-react";
import { AppProvider, Frame, Navigation, TopBar } from "@shopify/polaris";
import enTranslations from "@shopify/polaris/locales/en.json";
import type { ReactNode } from "react";
import { useState } from "react";
import { Link as RouterLink, useLocation, useSubmit } from "react-router";
import { isInSection, NAV_ITEMS, withSearch } from "./nav";
import { UnsavedChangesProvider } from "./UnsavedChanges";

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

/**
 * The top bar standing alone. Below Polaris' 48em breakpoint the Frame hides the navigation until the top bar's
 * menu button opens it: without that button a phone showed no way to any other page. A signed-in Magento merchant
 * also gets their menu: who is signed in, and Log out (a POST, so no link can sign anyone out).
 */
function StandaloneTopBar({ merchant, onNavigationToggle }: { merchant: { email: string } | null; onNavigationToggle: () => void }) {
  const [open, setOpen] = useState(false);
  const submit = useSubmit();
  const userMenu = merchant ? (
    <TopBar.UserMenu
      name={merchant.email}
      initials={merchant.email.slice(0, 1).toUpperCase()}
      open={open}
      onToggle={() => setOpen((v) => !v)}
      actions={[{ items: [{ content: "Log out", onAction: () => submit(null, { method: "post", action: "/magento/logout" }) }] }]}
    />
  ) : undefined;
  return <TopBar showNavigationToggle onNavigationToggle={onNavigationToggle} userMenu={userMenu} />;
}

export function AdminShell({
  embedded,
  apiKey,
  merchant = null,
  children,
}: {
  embedded: boolean;
  apiKey: string;
  merchant?: { email: string } | null;
  children: ReactNode;
}) {
  const location = useLocation();
  const [mobileNavigation, setMobileNavigation] = useState(false);
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
          <UnsavedChangesProvider embedded>{children}</UnsavedChangesProvider>
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
          selected: isInSection(item, location.pathname),
          onClick: () => setMobileNavigation(false),
        }))}
      />
    </Navigation>
  );
  return (
    <AppProvider i18n={enTranslations} linkComponent={PolarisLink}>
      <Frame
        navigation={navigation}
        topBar={<StandaloneTopBar merchant={merchant} onNavigationToggle={() => setMobileNavigation((v) => !v)} />}
        showMobileNavigation={mobileNavigation}
        onNavigationDismiss={() => setMobileNavigation(false)}
      >
        <UnsavedChangesProvider embedded={false}>{children}</UnsavedChangesProvider>
      </Frame>
    </AppProvider>
  );
}
