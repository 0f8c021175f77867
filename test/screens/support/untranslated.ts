// The check behind "every string from a catalogue": on a page shown in Chinese, any text a person can read
// (text, aria-label, title, placeholder, alt, the document title) that still holds Latin letters is a string that
// bypassed the catalogue. Data is exempt only where the page marks it translate="no" (ids, log references,
// text copied from the log, language names); the one notation allowed in Chinese text is a UTC offset.
import type { Page } from 'playwright-core';

export function untranslated(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const ALLOWED = /UTC[+-]\d\d:\d\d|CSV/g;
    const found: string[] = [];
    const check = (text: string, where: string): void => {
      if (/[A-Za-z]/.test(text.replace(ALLOWED, ''))) found.push(`${where}: ${text.trim().slice(0, 120)}`);
    };
    const exempt = (el: Element | null): boolean =>
      el === null || el.closest('[translate="no"], script, style') !== null;
    check(document.title, 'title');
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!exempt(node.parentElement)) check(node.nodeValue ?? '', node.parentElement?.tagName.toLowerCase() ?? 'text');
    }
    for (const el of document.body.querySelectorAll('[aria-label], [title], [placeholder], [alt]')) {
      if (exempt(el)) continue;
      for (const name of ['aria-label', 'title', 'placeholder', 'alt']) {
        const value = el.getAttribute(name);
        if (value !== null) check(value, `${el.tagName.toLowerCase()}[${name}]`);
      }
    }
    return found;
  });
}
