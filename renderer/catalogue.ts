// Catalogues for the staff screen and the HQ dashboard: every word a person reads comes from one, in English and
// Simplified Chinese (each entry must carry both: the type says so). The language is chosen once per page: a
// choice the person made (kept in this browser), else Chinese for a centre in China, else the browser's own.
// Changing it reloads the page, so no half-translated screen is ever shown.
import type { Language } from './i18n.ts';

export interface Entry {
  readonly 'en': string;
  readonly 'zh-CN': string;
}
export type Catalogue = Readonly<Record<string, Entry>>;
export type Vars = Readonly<Record<string, string | number>>;

const STORED = 'muster.language';
/** Mainland China's IANA zones (Asia/Shanghai and its old aliases). */
const CHINA_ZONES = new Set([
  'Asia/Shanghai',
  'Asia/Chongqing',
  'Asia/Chungking',
  'Asia/Harbin',
  'Asia/Urumqi',
  'Asia/Kashgar',
  'PRC',
]);

let current: Language = initial();

function initial(): Language {
  const stored = storedChoice();
  if (stored) return stored;
  return typeof navigator !== 'undefined' && navigator.language.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

function storedChoice(): Language | undefined {
  try {
    const value = localStorage.getItem(STORED);
    return value === 'en' || value === 'zh-CN' ? value : undefined;
  } catch {
    return undefined;
  }
}

export function language(): Language {
  return current;
}

/** Once the screen knows its centre's zone: Chinese for a centre in China, unless the person chose otherwise. */
export function settleLanguage(zone: string | undefined): Language {
  if (!storedChoice() && zone !== undefined && CHINA_ZONES.has(zone)) current = 'zh-CN';
  document.documentElement.lang = current;
  return current;
}

/** The person's choice, kept for this browser; the page is drawn again in it. */
export function chooseLanguage(choice: Language): void {
  try {
    localStorage.setItem(STORED, choice);
  } catch {
    // Private mode without storage: the choice lasts for this page only.
  }
  current = choice;
  location.reload();
}

/** The words of one catalogue in the page's language; `{name}` in an entry is replaced by vars.name. */
export function wordsOf<C extends Catalogue>(catalogue: C): (key: keyof C, vars?: Vars) => string {
  return (key, vars = {}) => fill((catalogue[key] as Entry)[current], vars);
}

export function fill(text: string, vars: Vars): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(vars, name) ? String(vars[name]) : whole));
}

/** The Intl locale for numbers, dates and times. */
export function locale(): string {
  return current === 'zh-CN' ? 'zh-CN' : 'en-GB';
}

/**
 * A sentence whose `{name}` slots are filled with nodes as well as text: ids and other data go in as nodes the
 * page marks translate="no", so a sentence reads in one language around data that is in none.
 */
export function sentenceOf<C extends Catalogue>(
  catalogue: C,
): (key: keyof C, vars: Readonly<Record<string, string | number | Node>>) => (string | Node)[] {
  return (key, vars) =>
    (catalogue[key] as Entry)[current].split(/(\{\w+\})/).map((part) => {
      const name = /^\{(\w+)\}$/.exec(part)?.[1];
      const value = name === undefined ? undefined : vars[name];
      return value === undefined ? part : typeof value === 'number' ? String(value) : value;
    });
}
