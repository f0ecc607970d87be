import assert from 'node:assert/strict';
import {
  COLORS,
  contrastRatio,
  STYLES,
  THEME_PAINT,
  THEMES,
  type ThemeColor,
  type ThemeStyle,
} from '../support/teamsThemes.js';
import { CARD_FIXTURES } from './fixtures/index.js';

/** WCAG 2.1 AA for normal text (1.4.3); card text is 12 to 18 px, below the "large text" size. */
const AA = 4.5;

interface PaintedText {
  path: string;
  color: ThemeColor;
  subtle: boolean;
  style: ThemeStyle;
}

const lower = <T extends string>(value: unknown, allowed: readonly T[], fallback: T): T => {
  const key = typeof value === 'string' ? value.toLowerCase() : fallback;
  if (!(allowed as readonly string[]).includes(key)) throw new Error(`unknown colour or style ${String(value)}`);
  return key as T;
};

/** Every text on a card with the colour it names and the container style it sits on. */
function paintedTexts(card: unknown): PaintedText[] {
  const found: PaintedText[] = [];
  const walk = (node: unknown, path: string, style: ThemeStyle): void => {
    if (Array.isArray(node)) return node.forEach((child, index) => walk(child, `${path}[${index}]`, style));
    if (!node || typeof node !== 'object') return;
    const element = node as Record<string, unknown>;
    const here =
      element.style !== undefined && ['Container', 'Column'].includes(String(element.type))
        ? lower(element.style, STYLES, 'default')
        : style;
    if (element.type === 'TextBlock')
      found.push({
        path,
        color: lower(element.color, COLORS, 'default'),
        subtle: element.isSubtle === true,
        style: here,
      });
    if (element.type === 'FactSet') found.push({ path, color: 'default', subtle: false, style: here });
    for (const [key, value] of Object.entries(element)) {
      // Teams draws a ShowCard's card in the emphasis style (actions.showCard.style of its host configs).
      const inner = element.type === 'Action.ShowCard' && key === 'card' ? 'emphasis' : here;
      walk(value, `${path}.${key}`, inner);
    }
  };
  walk(card, '$', 'default');
  return found;
}

describe('card colours read in every Teams theme', () => {
  for (const fixture of CARD_FIXTURES) {
    it(`${fixture.name}: every text meets WCAG AA contrast in light, dark and high contrast`, () => {
      const failing: string[] = [];
      for (const text of paintedTexts(fixture.render('en-GB')))
        for (const theme of THEMES) {
          const paint = THEME_PAINT[theme][text.style];
          const ratio = contrastRatio(
            paint.foreground[text.color][text.subtle ? 'subtle' : 'default'],
            paint.background,
          );
          if (ratio < AA) failing.push(`${theme}: ${text.path} (${text.color} on ${text.style}) ${ratio.toFixed(2)}`);
        }
      assert.deepEqual(failing, []);
    });
  }

  it('the table tells the colours that fail apart: light Good and Warning, dark Attention', () => {
    const ratio = (theme: (typeof THEMES)[number], color: ThemeColor) =>
      contrastRatio(THEME_PAINT[theme].default.foreground[color].default, THEME_PAINT[theme].default.background);
    assert.ok(ratio('light', 'good') < AA);
    assert.ok(ratio('light', 'warning') < AA);
    assert.ok(ratio('dark', 'attention') < AA);
    assert.ok(ratio('light', 'default') > 12);
    assert.equal(contrastRatio('#000000', '#ffffff').toFixed(1), '21.0');
  });
});
