// Unsaved edits in the admin's forms. Each edit form says whether its values differ from what was loaded or last
// saved (useUnsavedChanges); the admin frame (AdminShell, through UnsavedChangesProvider) then shows one save bar for
// the page and asks before the edits are lost:
// - embedded in Shopify, App Bridge's save bar: Shopify's admin then holds its own navigation while it shows, and a
//   link inside the app asks through App Bridge's leave confirmation;
// - standing alone (demo, Magento merchants), Polaris' contextual save bar, a Polaris modal when a link inside the
//   app is followed, and the browser's own question when the tab is closed or reloaded.
// A save that redirects (a form creating something lands on its page) is not held: React Router follows a fetcher's
// redirect without asking the blocker. docs/decisions/0024.
import { SaveBar } from "@shopify/app-bridge-react";
import { ContextualSaveBar, Modal, Text } from "@shopify/polaris";
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useId,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
  type ReactNode,
  type RefObject,
} from "react";
import { useBlocker, type Blocker, type BlockerFunction } from "react-router";

export interface UnsavedChangesProps {
  /** The form's values differ from what was loaded or last saved. */
  dirty: boolean;
  /** Its save is under way. */
  saving: boolean;
  /** Saves the form as its own submit button does. */
  onSave: () => void;
  /** Puts back what was loaded or last saved. */
  onDiscard: () => void;
}

type Actions = Pick<UnsavedChangesProps, "onSave" | "onDiscard">;

interface Registered {
  dirty: boolean;
  saving: boolean;
  actions: RefObject<Actions>;
}

interface Registry {
  register(id: string, form: Registered | null): void;
}

const RegistryContext = createContext<Registry | null>(null);

/**
 * Reports a form's unsaved edits to the page's save bar. Several forms on one page share the bar: Save saves each
 * dirty one, Discard discards each. Outside the admin frame it does nothing.
 */
export function useUnsavedChanges({ dirty, saving, onSave, onDiscard }: UnsavedChangesProps): void {
  const registry = useContext(RegistryContext);
  const id = useId();
  const actions = useRef<Actions>({ onSave, onDiscard });
  useEffect(() => {
    actions.current = { onSave, onDiscard };
  });
  useEffect(() => {
    registry?.register(id, { dirty, saving, actions });
  }, [registry, id, dirty, saving]);
  useEffect(() => () => registry?.register(id, null), [registry, id]);
}

interface AppBridgeSaveBarApi {
  leaveConfirmation?: () => Promise<void>;
}

function appBridgeSaveBarApi(): AppBridgeSaveBarApi | undefined {
  return (window as { shopify?: { saveBar?: AppBridgeSaveBarApi } }).shopify?.saveBar;
}

/**
 * App Bridge runs the page: the script from Shopify's CDN defined its save bar element and its leave confirmation.
 * Never on the server, and not on an embedded address opened outside Shopify.
 */
function useAppBridge(): boolean {
  return useSyncExternalStore(
    () => () => undefined,
    () =>
      customElements.get("ui-save-bar") !== undefined && typeof appBridgeSaveBarApi()?.leaveConfirmation === "function",
    () => false,
  );
}

function AppBridgeSaveBar({ open, saving, onSave, onDiscard }: { open: boolean } & Omit<UnsavedChangesProps, "dirty">) {
  return (
    <SaveBar id="unsaved-changes" open={open}>
      <button variant="primary" onClick={onSave} loading={saving ? "" : undefined} disabled={saving}>
        Save
      </button>
      <button onClick={onDiscard} disabled={saving}>
        Discard
      </button>
    </SaveBar>
  );
}

function PolarisSaveBar({ saving, onSave, onDiscard }: Omit<UnsavedChangesProps, "dirty">) {
  // The Frame keeps the bar's props and redraws it when they change: keep them the same objects between renders.
  const saveAction = useMemo(() => ({ content: "Save", onAction: onSave, loading: saving }), [onSave, saving]);
  const discardAction = useMemo(
    () => ({ content: "Discard", onAction: onDiscard, disabled: saving }),
    [onDiscard, saving],
  );
  return <ContextualSaveBar message="Unsaved changes" saveAction={saveAction} discardAction={discardAction} />;
}

/**
 * Holds a navigation inside the app while a form is dirty, and the tab's closing or reloading. Only a new path is
 * held: a form's own submission and a change of the page's query (a list's tab or page) keep the form on screen.
 */
function useLeaveGuard(dirty: boolean, appBridge: boolean): Blocker {
  const shouldBlock = useCallback<BlockerFunction>(
    ({ currentLocation, nextLocation }) => dirty && currentLocation.pathname !== nextLocation.pathname,
    [dirty],
  );
  const blocker = useBlocker(shouldBlock);

  useEffect(() => {
    if (!dirty) return;
    const ask = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      // Older Chromium and Safari still want returnValue set.
      event.returnValue = "";
    };
    window.addEventListener("beforeunload", ask);
    return () => window.removeEventListener("beforeunload", ask);
  }, [dirty]);

  // Saved or discarded meanwhile: the merchant stays where they are (a save that redirected has already moved on).
  useEffect(() => {
    if (blocker.state === "blocked" && !dirty) blocker.reset();
  }, [blocker, dirty]);

  // In Shopify's admin, App Bridge asks in the admin's own words; staying leaves the navigation held until the next.
  useEffect(() => {
    const confirm = appBridgeSaveBarApi()?.leaveConfirmation;
    if (!appBridge || !confirm || blocker.state !== "blocked" || !dirty) return;
    let current = true;
    void confirm().then(() => {
      if (current) blocker.proceed();
    });
    return () => {
      current = false;
    };
  }, [appBridge, blocker, dirty]);

  return blocker;
}

function LeavePageModal({ blocker }: { blocker: Blocker }) {
  return (
    <Modal
      open={blocker.state === "blocked"}
      onClose={() => blocker.reset?.()}
      title="Leave page with unsaved changes?"
      primaryAction={{ content: "Leave page", destructive: true, onAction: () => blocker.proceed?.() }}
      secondaryActions={[{ content: "Stay", onAction: () => blocker.reset?.() }]}
    >
      <Modal.Section>
        <Text as="p">Leaving this page will delete all unsaved changes.</Text>
      </Modal.Section>
    </Modal>
  );
}

/** The page's save bar and leave prompts, for the forms below it. Standing alone it must be inside Polaris' Frame. */
export function UnsavedChangesProvider({ embedded, children }: { embedded: boolean; children: ReactNode }) {
  const [forms, setForms] = useState<ReadonlyMap<string, Registered>>(new Map());
  const register = useCallback((id: string, form: Registered | null) => {
    setForms((current) => {
      const next = new Map(current);
      if (form) next.set(id, form);
      else next.delete(id);
      return next;
    });
  }, []);
  const registry = useMemo(() => ({ register }), [register]);

  const dirty = [...forms.values()].some((f) => f.dirty);
  const saving = [...forms.values()].some((f) => f.saving);
  const save = useCallback(() => {
    for (const form of forms.values()) if (form.dirty) form.actions.current?.onSave();
  }, [forms]);
  const discard = useCallback(() => {
    for (const form of forms.values()) if (form.dirty) form.actions.current?.onDiscard();
  }, [forms]);
  const appBridge = useAppBridge() && embedded;
  const blocker = useLeaveGuard(dirty, appBridge);

  return (
    <RegistryContext.Provider value={registry}>
      {children}
      {appBridge ? (
        <AppBridgeSaveBar open={dirty} saving={saving} onSave={save} onDiscard={discard} />
      ) : dirty && !embedded ? (
        <PolarisSaveBar saving={saving} onSave={save} onDiscard={discard} />
      ) : null}
      {dirty && !appBridge ? <LeavePageModal blocker={blocker} /> : null}
    </RegistryContext.Provider>
  );
}
