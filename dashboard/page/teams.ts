import { app, authentication, pages } from '@microsoft/teams-js';

import type { Theme } from './framed.js';

export interface TeamsHost {
  theme: Theme;
  onThemeChange(handler: (theme: Theme) => void): void;
  token(): Promise<string>;
  openLink(url: string): Promise<void>;
}

const asTheme = (theme: string | undefined): Theme => (theme === 'dark' || theme === 'contrast' ? theme : 'default');

/** Connects to Teams: its theme, its single sign-on token, and its way of opening deep links. */
export async function connectToTeams(): Promise<TeamsHost> {
  await app.initialize();
  const context = await app.getContext();
  return {
    theme: asTheme(context.app.theme),
    onThemeChange: (handler) => app.registerOnThemeChangeHandler((theme) => handler(asTheme(theme))),
    token: () => authentication.getAuthToken(),
    openLink: (url) => app.openLink(url),
  };
}

/** The channel tab's set-up page: saving pins the dashboard itself. */
export async function offerChannelTab(origin: string): Promise<void> {
  await app.initialize();
  pages.config.registerOnSaveHandler((save) => {
    pages.config
      .setConfig({
        entityId: 'privacy-dashboard',
        contentUrl: `${origin}/dashboard`,
        websiteUrl: `${origin}/dashboard`,
        suggestedDisplayName: 'Privacy dashboard',
      })
      .then(
        () => save.notifySuccess(),
        (error: unknown) => save.notifyFailure(error instanceof Error ? error.message : 'The tab could not be saved'),
      );
  });
  pages.config.setValidityState(true);
}
