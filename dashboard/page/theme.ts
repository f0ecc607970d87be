import {
  baseLayerLuminance,
  fluentButton,
  fluentCard,
  fluentCheckbox,
  fluentOption,
  fluentSelect,
  fluentTextField,
  provideFluentDesignSystem,
  StandardLuminance,
} from '@fluentui/web-components';
import type { Theme } from './framed.js';

export function registerComponents(): void {
  provideFluentDesignSystem().register(
    fluentButton(),
    fluentCard(),
    fluentCheckbox(),
    fluentOption(),
    fluentSelect(),
    fluentTextField(),
  );
}

/**
 * Follows the Teams theme: Fluent's dark layer for dark and high contrast, and the page's own
 * colours for high contrast (black, white and yellow, as Teams shows it).
 */
export function applyTheme(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
  baseLayerLuminance.setValueFor(
    document.body,
    theme === 'default' ? StandardLuminance.LightMode : StandardLuminance.DarkMode,
  );
  document.dispatchEvent(new CustomEvent('dashboard-theme'));
}

/** The colour the charts draw in, as the current theme sets it. */
export function chartColour(): string {
  return getComputedStyle(document.documentElement).getPropertyValue('--chart-colour').trim() || '#5b5fc7';
}

/** Outside Teams: the browser's preference, or ?theme=dark|contrast. */
export function browserTheme(): Theme {
  const asked = new URLSearchParams(location.search).get('theme');
  if (asked === 'dark' || asked === 'contrast' || asked === 'default') return asked;
  if (matchMedia('(forced-colors: active)').matches) return 'contrast';
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'default';
}
