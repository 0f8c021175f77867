// The screens' languages. The kiosk's words live in renderer/kiosk/kiosk-text.ts; staff and HQ words go here.
export const LANGUAGES = ['en', 'zh-CN'] as const;
export type Language = (typeof LANGUAGES)[number];

const WORDS = {
  language: { 'en': 'Language', 'zh-CN': '语言' },
} as const;

export type Word = keyof typeof WORDS;

export function t(language: Language, word: Word): string {
  return WORDS[word][language];
}
