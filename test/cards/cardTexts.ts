/** Where a text sits on a card, and the text a person reads there. */
export interface CardText {
  path: string;
  text: string;
}

/**
 * Every text a person reads on a card: TextBlock text, fact titles and values, action titles, input
 * labels, placeholders, error messages and toggle titles, and choice titles, in the card's JSON.
 */
export function readableTexts(card: unknown): CardText[] {
  const found: CardText[] = [];
  const add = (path: string, value: unknown) => {
    if (typeof value === 'string') found.push({ path, text: value });
  };
  const walk = (node: unknown, path: string): void => {
    if (Array.isArray(node)) return node.forEach((child, index) => walk(child, `${path}[${index}]`));
    if (!node || typeof node !== 'object') return;
    const element = node as Record<string, unknown>;
    const type = typeof element.type === 'string' ? element.type : '';
    if (type === 'TextBlock') add(`${path}.text`, element.text);
    if (type === 'FactSet')
      for (const [index, fact] of ((element.facts ?? []) as Array<Record<string, unknown>>).entries()) {
        add(`${path}.facts[${index}].title`, fact.title);
        add(`${path}.facts[${index}].value`, fact.value);
      }
    if (type.startsWith('Action.')) add(`${path}.title`, element.title);
    if (type.startsWith('Input.')) {
      for (const key of ['label', 'placeholder', 'errorMessage']) add(`${path}.${key}`, element[key]);
      if (type === 'Input.Toggle') add(`${path}.title`, element.title);
      if (type === 'Input.ChoiceSet')
        for (const [index, choice] of ((element.choices ?? []) as Array<Record<string, unknown>>).entries())
          add(`${path}.choices[${index}].title`, choice.title);
    }
    for (const [key, value] of Object.entries(element))
      if (key !== 'facts' && key !== 'choices') walk(value, `${path}.${key}`);
  };
  walk(card, '$');
  return found;
}
