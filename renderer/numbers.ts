// Numbers in the page's language.
import { locale } from './catalogue.ts';

/** 0.6667 -> "67%". */
export function percent(share: number): string {
  return new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: 0 }).format(share);
}
