import * as ACData from 'adaptivecards-templating';
import type { CardJson } from './adaptive.js';

/**
 * The templates that cards were written with before the typed builders of `adaptive.ts`, kept while
 * the last cards move over. New cards use the builders (see cards/README.md for why); this module
 * goes when no card imports it.
 */
export { CARD_SCHEMA, CARD_VERSION, inputId, inputValue, type CardJson } from './adaptive.js';

/**
 * A template parsed once at start-up and expanded per message with a view model. The library
 * writes an unbound field as its own "${...}" text (it ignores an empty substitution), so every
 * view model binds every field it uses; test/cards/cardBindings.test.ts holds that line.
 */
export class CardTemplate<View extends object> {
  private readonly template: ACData.Template;

  constructor(payload: CardJson) {
    this.template = new ACData.Template(payload);
  }

  render(view: View): CardJson {
    return this.template.expand({ $root: view }) as CardJson;
  }
}

/**
 * Action.Execute with an Action.Submit fallback carrying the same verb, for templates whose data
 * holds `${binding}` strings; built cards use the typed `executeAction` of `adaptive.ts`.
 */
export function executeAction(title: string, verb: string, data: Record<string, unknown>, style?: string): CardJson {
  return {
    type: 'Action.Execute',
    title,
    verb,
    data,
    ...(style ? { style } : {}),
    fallback: { type: 'Action.Submit', title, data: { ...data, verb }, ...(style ? { style } : {}) },
  };
}

/**
 * The same action, sent without the card's inputs: a client checks every input of the card before an
 * action that gathers them, so a button that needs none ("Not a request") would otherwise wait for a
 * form it ignores. `associatedInputs` is in the Adaptive Cards schema since 1.3 (Action.Submit) and
 * 1.4 (Action.Execute).
 */
export function ignoringInputs(action: CardJson): CardJson {
  const fallback = action.fallback as CardJson | undefined;
  return {
    ...action,
    associatedInputs: 'none',
    ...(fallback ? { fallback: { ...fallback, associatedInputs: 'none' } } : {}),
  };
}
