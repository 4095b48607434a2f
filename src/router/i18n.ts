/** Texts of a bot keyed by language, then by text key: `{ en: { hi: 'Hello {name}' }, de: { hi: 'Hallo {name}' } }`. */
export type Texts = Readonly<Record<string, Readonly<Record<string, string>>>>;

/** Looks up a text for a language, falling back, and fills `{placeholders}`. */
export type Translator = (language: string, key: string, vars: Readonly<Record<string, string | number>>) => string;

/**
 * Builds a translator: the event's language first, then `fallback`, then the key itself (so a missing
 * text shows up visibly instead of as an empty message).
 *
 * @example
 * const t = createTranslator({ en: { hi: 'Hi {name}' } }, 'en');
 * t('de', 'hi', { name: 'Anna' }) // 'Hi Anna'
 */
export function createTranslator(texts: Texts, fallback: string): Translator {
  return (language, key, vars) => {
    const template = texts[language]?.[key] ?? texts[fallback]?.[key] ?? key;
    return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
      const v = vars[name];
      return v === undefined ? whole : String(v);
    });
  };
}
