import { createRequire } from 'node:module';

// The official renderer's parser; its package entry does not load in Node, its UMD bundle does.
const require = createRequire(import.meta.url);

interface ParseEvent {
  message: string;
}
interface SerializationContext {
  eventCount: number;
  getEventAt(index: number): ParseEvent;
}
interface AdaptiveCardsModule {
  AdaptiveCard: new () => {
    parse(json: unknown, context: SerializationContext): void;
    validateProperties(): { validationEvents: ParseEvent[] };
  };
  SerializationContext: new () => SerializationContext;
}
const AC = require('adaptivecards/dist/adaptivecards.js') as AdaptiveCardsModule;

/** The card size we keep under: the smallest host we know of allows 28 KB. */
export const CARD_SIZE_LIMIT = 28 * 1024;

const INPUT = /^Input\./;

/**
 * Everything a card must satisfy before Teams gets it; returns the problems found so a test
 * failure names them all.
 */
export function cardProblems(card: unknown, requiredData: Record<string, string[]> = {}): string[] {
  const problems: string[] = [];
  const context = new AC.SerializationContext();
  const parsed = new AC.AdaptiveCard();
  parsed.parse(card, context);
  for (let i = 0; i < context.eventCount; i += 1) problems.push(`parser: ${context.getEventAt(i).message}`);
  // The validator behind the Adaptive Cards Designer's warnings: duplicate ids, inputs without ids,
  // unsupported properties for the card's version, and more.
  for (const event of parsed.validateProperties().validationEvents) problems.push(`validator: ${event.message}`);

  const root = card as Record<string, unknown>;
  if (root.version !== '1.5') problems.push(`version is ${String(root.version)}, not 1.5`);
  const size = Buffer.byteLength(JSON.stringify(card));
  if (size > CARD_SIZE_LIMIT) problems.push(`card is ${size} bytes, over ${CARD_SIZE_LIMIT}`);

  const walk = (node: unknown, path: string): void => {
    if (Array.isArray(node)) return node.forEach((child, index) => walk(child, `${path}[${index}]`));
    if (!node || typeof node !== 'object') return;
    const element = node as Record<string, unknown>;
    const type = typeof element.type === 'string' ? element.type : '';
    if (INPUT.test(type) && (typeof element.label !== 'string' || element.label.trim() === '')) {
      problems.push(`${path}: ${type} "${String(element.id)}" has no label`);
    }
    if (type === 'Action.Execute') {
      const verb = element.verb;
      if (typeof verb !== 'string' || verb === '') problems.push(`${path}: Action.Execute without a verb`);
      const data = (element.data ?? {}) as Record<string, unknown>;
      for (const key of requiredData[String(verb)] ?? []) {
        if (data[key] === undefined || data[key] === '') problems.push(`${path}: ${String(verb)} lacks data.${key}`);
      }
    }
    for (const [key, value] of Object.entries(element)) walk(value, `${path}.${key}`);
  };
  walk(card, '$');
  problems.push(...requiredInputsBlockingActions(card));
  return problems;
}

/**
 * A client checks every input in scope before it sends an Action.Execute: the inputs of the card
 * (or of the Action.ShowCard the action sits in). So a required input at the card's own level
 * stops every other button of that card until it is filled; such a form belongs in a ShowCard, or
 * the server checks it. Each ShowCard is its own scope.
 */
function requiredInputsBlockingActions(card: unknown): string[] {
  let required = 0;
  const verbs = new Set<string>();
  const walk = (node: unknown, top: boolean): void => {
    if (Array.isArray(node)) return node.forEach((child) => walk(child, top));
    if (!node || typeof node !== 'object') return;
    const element = node as Record<string, unknown>;
    const type = typeof element.type === 'string' ? element.type : '';
    if (type === 'Action.ShowCard') {
      requiredInputsBlockingActions(element.card).forEach((problem) => verbs.add(`!${problem}`));
      return;
    }
    if (INPUT.test(type) && element.isRequired === true) required += 1;
    // An action that sends no inputs (`associatedInputs: "none"`) is not held back by them.
    if (type === 'Action.Execute' && typeof element.verb === 'string' && element.associatedInputs !== 'none')
      verbs.add(element.verb);
    for (const [key, value] of Object.entries(element)) if (key !== 'fallback') walk(value, top);
  };
  walk(card, true);
  const nested = [...verbs].filter((verb) => verb.startsWith('!')).map((verb) => verb.slice(1));
  const own = [...verbs].filter((verb) => !verb.startsWith('!'));
  if (required > 0 && own.length > 1)
    nested.push(`a required input at the card's level blocks its other actions (${own.join(', ')})`);
  return nested;
}
