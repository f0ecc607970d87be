import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';

export const SCREENSHOTS = join('test', 'e2e', 'screenshots');

/** What the page's scrolling needs of an element; the project compiles without the DOM types. */
interface ScrollTarget {
  style: { scrollMarginTop: string };
  getBoundingClientRect(): { height: number };
  scrollIntoView(options: { block: string; behavior: string }): void;
}

/** One Playground tab, used the way a person uses Teams: by what is written on the screen. */
export class TeamsPage {
  constructor(
    readonly page: Page,
    private readonly url: string,
  ) {}

  async open(): Promise<void> {
    // Not 'load': the page asks the internet for fonts, which offline only ends in a timeout.
    await this.page.goto(this.url, { waitUntil: 'domcontentloaded' });
    // The log panel is a developer's tool (and names local folders); people do not see it in Teams.
    await this.page.getByTitle('Hide log panel').click();
  }

  /** The welcome the bot sends on install: the page and the bot are connected. */
  async waitForWelcome(): Promise<void> {
    await this.page.getByText('Hello! I help you pass on requests').first().waitFor();
  }

  async openPersonalChat(): Promise<void> {
    await this.page.getByText('Personal Chat', { exact: true }).click();
  }

  async openChannel(team: string, channel: string): Promise<void> {
    await this.page.getByRole('treeitem', { name: `${team} - ${channel}` }).click();
    await this.page.getByText('Start a new post').waitFor();
  }

  private get composer(): Locator {
    return this.page.locator('[data-lexical-editor="true"]').first();
  }

  /** Types into the 1:1 chat and sends with Enter, as people do. */
  async say(text: string): Promise<void> {
    await this.composer.click();
    await this.page.keyboard.type(text);
    await this.page.keyboard.press('Enter');
  }

  /** Starts a channel post that @mentions someone, picked from the list Teams offers after "@". */
  async postMentioning(name: string, text: string): Promise<void> {
    await this.composer.click();
    await this.page.keyboard.type('@');
    await this.page.getByRole('menuitem', { name }).click();
    await this.page.keyboard.type(` ${text}`);
    await this.page.getByRole('button', { name: 'Post', exact: true }).click();
  }

  /** The newest Adaptive Card showing this text; it stays the same card when an action replaces its content. */
  card(text: string | RegExp): Locator {
    return this.page.locator('.ac-adaptiveCard').filter({ hasText: text }).last();
  }

  async screenshot(name: string, focus?: Locator): Promise<void> {
    await mkdir(SCREENSHOTS, { recursive: true });
    if (focus) {
      // Centred when it fits, else its top just below the Playground's header bar; no smooth scrolling.
      const viewportHeight = this.page.viewportSize()?.height ?? 1000;
      await focus.evaluate((element: ScrollTarget, height: number) => {
        element.style.scrollMarginTop = '70px';
        const tall = element.getBoundingClientRect().height > height - 140;
        element.scrollIntoView({ block: tall ? 'start' : 'center', behavior: 'instant' });
      }, viewportHeight);
    }
    await this.page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
  }
}
