// Every string the user sees comes from these tables; fr is the reference, en must have
// the same keys (checked by i18n.test.ts). The shared strings are in fr.json / en.json,
// each page's in <page>.fr.json / <page>.en.json, with keys prefixed by the page.
import frCore from './fr.json';
import enCore from './en.json';
import frDashboard from './dashboard.fr.json';
import enDashboard from './dashboard.en.json';
import frGroups from './groups.fr.json';
import enGroups from './groups.en.json';
import frOpinions from './opinions.fr.json';
import enOpinions from './opinions.en.json';
import frConsultations from './consultations.fr.json';
import enConsultations from './consultations.en.json';
import frSheets from './sheets.fr.json';
import enSheets from './sheets.en.json';
import frTimeline from './timeline.fr.json';
import enTimeline from './timeline.en.json';
import frAudit from './audit.fr.json';
import enAudit from './audit.en.json';

const fr = { ...frCore, ...frDashboard, ...frGroups, ...frOpinions, ...frConsultations, ...frSheets, ...frTimeline, ...frAudit };
const en = { ...enCore, ...enDashboard, ...enGroups, ...enOpinions, ...enConsultations, ...enSheets, ...enTimeline, ...enAudit };

/** A language the interface speaks. */
export type Lang = 'fr' | 'en';

/** A key of the message tables. */
export type MessageKey = keyof typeof fr;

/** Languages in the order they are offered; the first is the default. */
export const LANGS: readonly Lang[] = ['fr', 'en'];

/** The message tables, by language. */
export const TABLES: Record<Lang, Record<MessageKey, string>> = { fr, en };

const STORAGE_KEY = 'comite.lang';

/** The message for key in lang, with {name} placeholders filled from params. */
export function translate(lang: Lang, key: MessageKey, params?: Record<string, string | number>): string {
  const text = TABLES[lang][key] ?? TABLES.fr[key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? formatParam(lang, params[name]!) : whole,
  );
}

function formatParam(lang: Lang, v: string | number): string {
  return typeof v === 'number' ? new Intl.NumberFormat(lang).format(v) : v;
}

/** A function giving the message of a key in the current language (see ui.tsx's useI18n). */
export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

/** The base of every count message: a key whose base.one and base.other both exist. */
export type PluralBase = {
  [K in MessageKey]: K extends `${infer B}.one` ? (`${B}.other` extends MessageKey ? B : never) : never;
}[MessageKey];

/**
 * The count message base.one / base.other that fits n in lang (French: 0 and 1 are
 * singular), with {n} and the other params filled.
 */
export function plural(lang: Lang, base: PluralBase, n: number, params: Record<string, string | number> = {}): string {
  const form = new Intl.PluralRules(lang).select(n) === 'one' ? 'one' : 'other';
  return translate(lang, `${base}.${form}` as MessageKey, { ...params, n });
}

/** The message of key prefix.code (a status, a theme…), or the code itself when this build does not know it. */
export function codeLabel(t: Translate, prefix: string, code: string): string {
  const key = `${prefix}.${code}`;
  return key in TABLES.fr ? t(key as MessageKey) : code;
}

/** Whether v names a supported language. */
export function isLang(v: unknown): v is Lang {
  return typeof v === 'string' && (LANGS as readonly string[]).includes(v);
}

/** The language the user chose earlier, or French. Storage may be unavailable (privacy modes). */
export function loadLang(storage: Pick<Storage, 'getItem'> | undefined): Lang {
  try {
    const v = storage?.getItem(STORAGE_KEY);
    return isLang(v) ? v : LANGS[0]!;
  } catch {
    return LANGS[0]!;
  }
}

/** Remembers the user's language for the next visits. */
export function saveLang(storage: Pick<Storage, 'setItem'> | undefined, lang: Lang): void {
  try {
    storage?.setItem(STORAGE_KEY, lang);
  } catch {
    // Not remembered, but the page still switches.
  }
}

/** The table key naming an organisation kind, or undefined for a kind this build does not know. */
export function kindKey(kind: string): MessageKey | undefined {
  const key = `kind.${kind}`;
  return key in TABLES.fr ? (key as MessageKey) : undefined;
}

// Validator tags that mean the same thing to the user.
const RULE_ALIASES: Record<string, string> = { http_url: 'url', uri: 'url', lte: 'max', gte: 'min', unique: 'unique' };

/** The table key explaining a validation rule such as "required" or "max=200", if known. */
export function ruleKey(rule: string): MessageKey | undefined {
  const name = rule.split(/[=,]/)[0]!.trim().toLowerCase();
  const key = `rule.${RULE_ALIASES[name] ?? name}`;
  return key in TABLES.fr ? (key as MessageKey) : undefined;
}
