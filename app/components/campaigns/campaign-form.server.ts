// Server side of the campaign form: the pickers' options and the submitted settings.
import type { ShopDb } from "../../db/shop-scope.server";
import type { CampaignSettingsInput } from "../../domain/campaigns/campaign";

export async function campaignFormOptions(db: ShopDb) {
  const [segments, pools, templates] = await Promise.all([
    db.segment.findMany({ where: { deletedAt: null }, orderBy: { name: "asc" }, select: { id: true, name: true, memberCount: true } }),
    db.pool.findMany({ where: { deletedAt: null }, orderBy: { name: "asc" }, select: { id: true, name: true, kind: true } }),
    db.messageTemplate.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true, channel: true } }),
  ]);
  return {
    segments: segments.map((s) => ({ id: s.id, label: s.name, members: s.memberCount })),
    pools: pools.map((p) => ({ id: p.id, label: p.name, dynamic: p.kind === "DYNAMIC" })),
    templates: templates.map((t) => ({ id: t.id, label: `${t.name} (${t.channel.toLowerCase()})` })),
  };
}

/** The form posts its settings as one JSON field; anything unreadable is a form-level error. */
export function settingsFromForm(form: FormData): { ok: true; settings: CampaignSettingsInput } | { ok: false; errors: Record<string, string> } {
  const raw = form.get("settings");
  if (typeof raw !== "string") return { ok: false, errors: { form: "The form was sent without its settings; reload the page and try again" } };
  try {
    return { ok: true, settings: JSON.parse(raw) as CampaignSettingsInput };
  } catch {
    return { ok: false, errors: { form: "The form's settings could not be read; reload the page and try again" } };
  }
}
