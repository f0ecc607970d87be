/**
 * A count with its noun in the right number, for the English the cards and messages speak:
 * "1 record", "3 records", "0 records". The choice follows the language's plural rules (CLDR,
 * through Intl.PluralRules), the same rules the letters' `plural` helper uses in every language.
 */
const english = new Intl.PluralRules('en');

export function counted(n: number, one: string, other = `${one}s`): string {
  return `${n} ${english.select(n) === 'one' ? one : other}`;
}
