import * as ACData from 'adaptivecards-templating';

/** An Adaptive Card as JSON; cards stay plain data so the bot layer decides how to send them. */
export type CardJson = Record<string, unknown>;

/**
 * A template parsed once at start-up and expanded per message with a view model. The library
 * writes an unbound field as its own "${...}" text (it ignores an empty substitution), so every
 * view model binds every field it uses; test/unit/cardBindings.test.ts holds that line.
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
 * The id of an input that a card repeats once per step or per form: Adaptive Cards require ids
 * unique within a card (the `adaptivecards` validator reports "Duplicate Id"), and an
 * Action.Execute gathers the inputs of the whole card, so a repeated id mixes two forms' values.
 */
export function inputId(name: string, scope: string): string {
  return `${name}.${scope}`;
}

/** The value of a scoped input, or of its unscoped id on a card sent before ids were scoped. */
export function inputValue(data: Record<string, unknown>, name: string, scope: string): unknown {
  return data[inputId(name, scope)] ?? data[name];
}

export const CARD_SCHEMA = 'http://adaptivecards.io/schemas/adaptive-card.json';
export const CARD_VERSION = '1.5';

/**
 * Action.Execute with an Action.Submit fallback carrying the same verb, so clients without
 * Universal Actions still reach the same handler.
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
