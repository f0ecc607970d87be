import type { IntakePrefill } from '../dsr/intake/prefill.js';
import { shownAsText } from './format.js';
import { translator } from '../i18n/index.js';
import type { IntakeSuggestionsView } from './intakeCard.js';

/**
 * The block above a pre-filled intake form, in the reader's language: each value read from the text
 * with where it came from, so nothing extracted is taken without a look. Values come from outside
 * (a mail, a pasted text) and are shown as text, never as Markdown.
 */
export function intakeSuggestions(prefill: IntakePrefill, locale: string | undefined): IntakeSuggestionsView {
  const t = translator(locale);
  const facts = prefill.shown.map((suggestion) => {
    const values =
      suggestion.field === 'rights'
        ? suggestion.values.map((right) => t(`intake.rights.${right}`))
        : suggestion.field === 'language'
          ? suggestion.values.map((language) => t(`intake.languages.${language}`))
          : suggestion.values;
    return {
      title: t(`intake.suggestions.fields.${suggestion.field}`),
      value: t('intake.suggestions.value', {
        values: shownAsText(values.join(', '), 300),
        source: t(`intake.suggestions.sources.${suggestion.source}`),
      }),
    };
  });
  const notes: Array<{ text: string }> = [];
  if (facts.length === 0) notes.push({ text: t('intake.suggestions.none') });
  if (prefill.objection) notes.push({ text: t('intake.suggestions.objection') });
  if (prefill.otherLanguage)
    notes.push({ text: t('intake.suggestions.otherLanguage', { language: prefill.otherLanguage }) });
  if (prefill.shortened) notes.push({ text: t('intake.suggestions.shortened') });
  return { shown: true, title: t('intake.suggestions.title'), facts, notes };
}
