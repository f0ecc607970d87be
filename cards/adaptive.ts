import type { Verb } from './verbs.js';

/**
 * Typed builders over the Adaptive Card 1.5 schema (http://adaptivecards.io/schemas/adaptive-card.json):
 * the one way every card of the bot is written.
 *
 * Why builders and not templates bound by view models: every text a person reads comes from the
 * message catalogues through `t(...)`, which is a function call, not a `${binding}`; with builders the
 * card, its view model and its words live in one typed function, and a wrong property or a missing
 * field fails `tsc` (a template's binding is a string that the templating library prints as itself
 * when unbound). Builders also write only what a card sets, which keeps cards within the byte budget
 * of `cardSize.ts`: `@microsoft/teams.cards` writes every default into every element and targets
 * schema properties newer than the 1.5 our validator (test/support/cardRules.ts) and Teams' mobile
 * clients read, so we keep our own small builders in its spirit.
 *
 * Every type is an object type (not an interface), so a card stays plain JSON data assignable to
 * `CardJson` and the bot layer decides how to send it.
 */

/** An Adaptive Card as JSON. */
export type CardJson = Record<string, unknown>;

export const CARD_SCHEMA = 'http://adaptivecards.io/schemas/adaptive-card.json';
export const CARD_VERSION = '1.5';

export type TextColor = 'Default' | 'Dark' | 'Light' | 'Accent' | 'Good' | 'Warning' | 'Attention';
export type TextSize = 'Small' | 'Default' | 'Medium' | 'Large' | 'ExtraLarge';
export type TextWeight = 'Lighter' | 'Default' | 'Bolder';
export type Spacing = 'None' | 'Small' | 'Default' | 'Medium' | 'Large' | 'ExtraLarge' | 'Padding';
export type HorizontalAlignment = 'Left' | 'Center' | 'Right';
export type ContainerStyle = 'default' | 'emphasis' | 'good' | 'attention' | 'warning' | 'accent';
export type ActionStyle = 'default' | 'positive' | 'destructive';

/** What every element of a card's body may set. */
type ElementBase = {
  id?: string;
  spacing?: Spacing;
  separator?: boolean;
};

export type TextBlock = ElementBase & {
  type: 'TextBlock';
  text: string;
  color?: TextColor;
  size?: TextSize;
  weight?: TextWeight;
  isSubtle?: boolean;
  wrap?: boolean;
  maxLines?: number;
  horizontalAlignment?: HorizontalAlignment;
};

export type Fact = { title: string; value: string };
export type FactSet = ElementBase & { type: 'FactSet'; facts: Fact[] };

export type Column = {
  type: 'Column';
  items: CardElement[];
  width?: 'auto' | 'stretch' | number | `${number}px`;
  style?: ContainerStyle;
  verticalContentAlignment?: 'Top' | 'Center' | 'Bottom';
  spacing?: Spacing;
  separator?: boolean;
  selectAction?: SelectAction;
};
export type ColumnSet = ElementBase & { type: 'ColumnSet'; columns: Column[]; selectAction?: SelectAction };

export type Container = ElementBase & {
  type: 'Container';
  items: CardElement[];
  style?: ContainerStyle;
  bleed?: boolean;
  selectAction?: SelectAction;
};

export type ActionSet = ElementBase & { type: 'ActionSet'; actions: CardAction[] };

/** What every input sets: an id, a label read aloud and shown (Teams' accessibility), and its checks. */
type InputBase = ElementBase & {
  id: string;
  label: string;
  isRequired?: boolean;
  errorMessage?: string;
};

export type TextInput = InputBase & {
  type: 'Input.Text';
  value?: string;
  placeholder?: string;
  isMultiline?: boolean;
  maxLength?: number;
  regex?: string;
  style?: 'text' | 'tel' | 'url' | 'email';
};

export type Choice = { title: string; value: string };
export type ChoiceSetInput = InputBase & {
  type: 'Input.ChoiceSet';
  choices: Choice[];
  value?: string;
  placeholder?: string;
  isMultiSelect?: boolean;
  style?: 'compact' | 'expanded';
  wrap?: boolean;
};

export type DateInput = InputBase & {
  type: 'Input.Date';
  value?: string;
  min?: string;
  max?: string;
  placeholder?: string;
};

export type ToggleInput = InputBase & {
  type: 'Input.Toggle';
  title: string;
  value?: 'true' | 'false';
  valueOn?: string;
  valueOff?: string;
  wrap?: boolean;
};

export type CardInput = TextInput | ChoiceSetInput | DateInput | ToggleInput;
export type CardElement = TextBlock | FactSet | ColumnSet | Container | ActionSet | CardInput;

/** The data an action sends back; the verb travels beside it (Execute) or inside it (Submit). */
export type ActionData = Record<string, string | number | boolean | string[] | undefined>;

export type SubmitAction = {
  type: 'Action.Submit';
  title: string;
  data: ActionData & { verb: Verb };
  style?: ActionStyle;
};

export type ExecuteAction = {
  type: 'Action.Execute';
  title: string;
  verb: Verb;
  data: ActionData;
  style?: ActionStyle;
  fallback: SubmitAction;
};

export type ShowCardAction = {
  type: 'Action.ShowCard';
  title: string;
  card: { type: 'AdaptiveCard'; body: CardElement[]; actions?: CardAction[] };
  style?: ActionStyle;
};

export type OpenUrlAction = { type: 'Action.OpenUrl'; title: string; url: string; style?: ActionStyle };

export type CardAction = ExecuteAction | ShowCardAction | OpenUrlAction;
/** What selecting a row or container does: never a ShowCard (the schema forbids it there). */
export type SelectAction = ExecuteAction | OpenUrlAction;

/** Teams' Universal Actions refresh: who gets it and what it asks for. */
export type CardRefresh = {
  action: { type: 'Action.Execute'; verb: Verb; data: ActionData };
  userIds?: string[];
};

export type AdaptiveCard = {
  type: 'AdaptiveCard';
  $schema: typeof CARD_SCHEMA;
  version: typeof CARD_VERSION;
  body: CardElement[];
  actions?: CardAction[];
  refresh?: CardRefresh;
};

type Options<T, Given extends keyof T> = Omit<T, 'type' | Given>;

export function textBlock(text: string, options: Options<TextBlock, 'text'> = {}): TextBlock {
  // Text wraps unless a card says otherwise: a cut line hides words, and Teams' narrow panes cut often.
  return { type: 'TextBlock', text, wrap: true, ...options };
}

export function factSet(facts: Fact[], options: Options<FactSet, 'facts'> = {}): FactSet {
  return { type: 'FactSet', facts, ...options };
}

export function column(items: CardElement[], options: Options<Column, 'items'> = {}): Column {
  return { type: 'Column', items, ...options };
}

export function columnSet(columns: Column[], options: Options<ColumnSet, 'columns'> = {}): ColumnSet {
  return { type: 'ColumnSet', columns, ...options };
}

export function container(items: CardElement[], options: Options<Container, 'items'> = {}): Container {
  return { type: 'Container', items, ...options };
}

export function actionSet(actions: CardAction[], options: Options<ActionSet, 'actions'> = {}): ActionSet {
  return { type: 'ActionSet', actions, ...options };
}

export function textInput(options: Options<TextInput, never>): TextInput {
  return { type: 'Input.Text', ...options };
}

export function choiceSetInput(options: Options<ChoiceSetInput, never>): ChoiceSetInput {
  return { type: 'Input.ChoiceSet', ...options };
}

export function dateInput(options: Options<DateInput, never>): DateInput {
  return { type: 'Input.Date', ...options };
}

export function toggleInput(options: Options<ToggleInput, never>): ToggleInput {
  return { type: 'Input.Toggle', valueOn: 'true', valueOff: 'false', wrap: true, ...options };
}

/**
 * Action.Execute with an Action.Submit fallback carrying the same verb, so clients without
 * Universal Actions still reach the same handler (Microsoft Learn, "Universal Actions for Adaptive
 * Cards": Action.Execute falls back to Action.Submit on clients before schema 1.4).
 */
export function executeAction(title: string, verb: Verb, data: ActionData, style?: ActionStyle): ExecuteAction {
  return {
    type: 'Action.Execute',
    title,
    verb,
    data,
    ...(style ? { style } : {}),
    fallback: { type: 'Action.Submit', title, data: { ...data, verb }, ...(style ? { style } : {}) },
  };
}

/** A button that unfolds a small form (or text) under the card, with its own submit actions. */
export function showCardAction(
  title: string,
  body: CardElement[],
  actions: CardAction[] = [],
  style?: ActionStyle,
): ShowCardAction {
  return {
    type: 'Action.ShowCard',
    title,
    card: { type: 'AdaptiveCard', body, ...(actions.length > 0 ? { actions } : {}) },
    ...(style ? { style } : {}),
  };
}

export function openUrlAction(title: string, url: string, style?: ActionStyle): OpenUrlAction {
  return { type: 'Action.OpenUrl', title, url, ...(style ? { style } : {}) };
}

/** A whole card: the schema and version every card of the bot declares, and its parts. */
export function adaptiveCard(parts: {
  body: CardElement[];
  actions?: CardAction[];
  refresh?: CardRefresh;
}): AdaptiveCard {
  return {
    type: 'AdaptiveCard',
    $schema: CARD_SCHEMA,
    version: CARD_VERSION,
    ...(parts.refresh ? { refresh: parts.refresh } : {}),
    body: parts.body,
    ...(parts.actions && parts.actions.length > 0 ? { actions: parts.actions } : {}),
  };
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
