/**
 * What each Teams theme paints for the Adaptive Card colours and container styles a card may name.
 *
 * Light and dark: the host configs Microsoft publishes for Teams with the Adaptive Cards designer,
 * microsoft/AdaptiveCards `samples/HostConfig/microsoft-teams-light.json` and
 * `microsoft-teams-dark.json` (containerStyles.*.backgroundColor and foregroundColors). Colours are
 * #AARRGGBB where they have eight digits; a translucent colour is laid over its background.
 * The designer's Teams container pins Action.ShowCard cards to the `emphasis` style
 * (actions.showCard.style in the same files).
 *
 * High contrast: no host config for it is published. Teams' high-contrast theme draws white text on
 * black; how it maps Good, Warning and Attention is not documented, so the values below are
 * Windows' "High Contrast Black" system colours (WindowText white, Hotlight yellow, GrayText green)
 * with red for Attention, and every container style on black: an assumption, not a source.
 */
export const THEMES = ['light', 'dark', 'highContrast'] as const;
export type Theme = (typeof THEMES)[number];

export const COLORS = ['default', 'dark', 'light', 'accent', 'good', 'warning', 'attention'] as const;
export type ThemeColor = (typeof COLORS)[number];
export const STYLES = ['default', 'emphasis', 'accent', 'good', 'attention', 'warning'] as const;
export type ThemeStyle = (typeof STYLES)[number];

interface StylePaint {
  background: string;
  foreground: Record<ThemeColor, { default: string; subtle: string }>;
}

const lightText = {
  default: { default: '#ff252424', subtle: '#bf252424' },
  dark: { default: '#252424', subtle: '#bf252424' },
  light: { default: '#ffffff', subtle: '#fff3f2f1' },
  accent: { default: '#6264a7', subtle: '#8b8cc7' },
  good: { default: '#92c353', subtle: '#e592c353' },
  warning: { default: '#f8d22a', subtle: '#e5f8d22a' },
  attention: { default: '#c4314b', subtle: '#e5c4314b' },
};
const darkOnDark = {
  default: { default: '#ffffffff', subtle: '#bfffffff' },
  dark: { default: '#ff201f1f', subtle: '#ff2d2c2c' },
  light: { default: '#ffffffff', subtle: '#bfffffff' },
  accent: { default: '#ffa6a7dc', subtle: '#ff8b8cc7' },
  good: { default: '#ff92c353', subtle: '#e592c353' },
  warning: { default: '#fff8d22a', subtle: '#e5f8d22a' },
  attention: { default: '#ffd74654', subtle: '#e5d74654' },
};
/** The dark theme's tinted styles draw dark default text on their light tints. */
const darkOnTint = { ...darkOnDark, default: { default: '#ff201f1f', subtle: '#ff2d2c2c' } };
const highContrastText = {
  default: { default: '#ffffff', subtle: '#ffffff' },
  dark: { default: '#ffffff', subtle: '#ffffff' },
  light: { default: '#ffffff', subtle: '#ffffff' },
  accent: { default: '#ffff00', subtle: '#ffff00' },
  good: { default: '#3ff23f', subtle: '#3ff23f' },
  warning: { default: '#ffff00', subtle: '#ffff00' },
  attention: { default: '#ff4040', subtle: '#ff4040' },
};

export const THEME_PAINT: Record<Theme, Record<ThemeStyle, StylePaint>> = {
  light: {
    default: { background: '#ffffff', foreground: lightText },
    emphasis: { background: '#fff9f8f7', foreground: lightText },
    accent: { background: '#C7DEF9', foreground: lightText },
    good: { background: '#CCFFCC', foreground: lightText },
    attention: { background: '#FFC5B2', foreground: lightText },
    warning: { background: '#FFE2B2', foreground: lightText },
  },
  dark: {
    default: { background: '#ff2d2c2c', foreground: darkOnDark },
    emphasis: { background: '#ff292828', foreground: darkOnDark },
    accent: { background: '#C7DEF9', foreground: darkOnTint },
    good: { background: '#CCFFCC', foreground: darkOnTint },
    attention: { background: '#FFC5B2', foreground: darkOnTint },
    warning: { background: '#FFE2B2', foreground: darkOnTint },
  },
  highContrast: Object.fromEntries(
    STYLES.map((style) => [style, { background: '#000000', foreground: highContrastText }]),
  ) as Record<ThemeStyle, StylePaint>,
};

type Rgba = [number, number, number, number];

function parse(hex: string): Rgba {
  const digits = hex.replace('#', '');
  const [a, rgb] = digits.length === 8 ? [parseInt(digits.slice(0, 2), 16) / 255, digits.slice(2)] : [1, digits];
  return [parseInt(rgb.slice(0, 2), 16), parseInt(rgb.slice(2, 4), 16), parseInt(rgb.slice(4, 6), 16), a];
}

/** A translucent colour as it shows over an opaque one. */
function over(top: Rgba, bottom: Rgba): Rgba {
  const [r, g, b, a] = top;
  return [r * a + bottom[0] * (1 - a), g * a + bottom[1] * (1 - a), b * a + bottom[2] * (1 - a), 1];
}

/** WCAG 2.1 relative luminance. */
function luminance([r, g, b]: Rgba): number {
  const channel = (value: number) => {
    const c = value / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

/** The WCAG 2.1 contrast ratio of a text colour over a background (1 to 21). */
export function contrastRatio(foreground: string, background: string): number {
  const bg = parse(background);
  const fg = over(parse(foreground), bg);
  const [light, dark] = [luminance(fg), luminance(bg)].sort((a, b) => b - a) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}
