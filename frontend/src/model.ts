// Pure helpers the views use to present rows; kept apart from the components to be tested alone.
import type { Organisation } from './api';
import { type Lang, type MessageKey, TABLES, plural, translate } from './i18n';
import type { Persona } from './session';

const KIND_ORDER = ['elected_officials_association', 'public_operator', 'ministry', 'other'];

/** Organisations grouped by kind (elected officials first), then by acronym, then by name. */
export function sortOrganisations(items: readonly Organisation[], lang: string): Organisation[] {
  const collator = new Intl.Collator(lang, { sensitivity: 'base', numeric: true });
  const rank = (k: string) => {
    const i = KIND_ORDER.indexOf(k);
    return i < 0 ? KIND_ORDER.length : i;
  };
  return [...items].sort(
    (a, b) =>
      rank(a.kind) - rank(b.kind) ||
      collator.compare(a.acronym || a.name, b.acronym || b.name) ||
      collator.compare(a.name, b.name) ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

/** The URL if it is an http(s) address safe to put in a link, else undefined. */
export function safeWebsite(website: string | undefined): URL | undefined {
  if (!website) return undefined;
  try {
    const u = new URL(website);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u : undefined;
  } catch {
    return undefined;
  }
}

/** A short label for a website: host without "www.", plus the path when there is one. */
export function websiteLabel(u: URL): string {
  const host = u.host.replace(/^www\./, '');
  const path = u.pathname.replace(/\/+$/, '');
  return host + path;
}

/** The role's name in lang, or the role as the server spelled it when this build does not know it. */
export function roleLabel(lang: Lang, role: string): string {
  const key = `role.${role}`;
  return key in TABLES.fr ? translate(lang, key as MessageKey) : role;
}

/** How long to wait, in words: seconds under a minute, whole minutes above. */
export function waitText(lang: Lang, seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  return s < 60 ? plural(lang, 'wait.seconds', s) : plural(lang, 'wait.minutes', Math.ceil(s / 60));
}

/** The button text naming a persona: « Secrétariat (MEN-DNE) », « AMF (membre) », « Auditeur »… */
export function personaLabel(lang: Lang, p: Persona): string {
  const organisation = p.organisation?.trim();
  switch (p.role) {
    case 'secretariat':
      return organisation
        ? translate(lang, 'persona.secretariatOf', { organisation })
        : translate(lang, 'persona.secretariat');
    case 'member':
      return organisation ? translate(lang, 'persona.member', { organisation }) : p.name;
    case 'auditor':
      return translate(lang, 'persona.auditor');
    case 'observer':
      return translate(lang, 'persona.observer');
    default:
      return p.name || p.email;
  }
}
