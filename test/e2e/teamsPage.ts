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

/**
 * What a person does with their hands, counted in the page itself, so every way a test presses or
 * types is seen: a press is a click on anything that acts (a button, a box, an option, a menu item,
 * a link) or Enter sending a message; a typed field is a field or message box typed into, counted
 * once each time it gets the focus. Moving around the Playground (its chat list, its log panel) is
 * the host's, not ours, and is not counted.
 */
export class HandCount {
  presses = 0;
  typedFields = 0;
  /** Only while on: the walkthrough counts the steps a measure names, not its setup or its checks. */
  on = false;

  reset(): void {
    this.presses = 0;
    this.typedFields = 0;
  }

  async watch(page: Page): Promise<void> {
    await page.exposeFunction('__dsrHand', (kind: string, what: string) => {
      if (!this.on) return;
      // DSR_HANDS=1 lists each counted press and field, to see what a change of design saves.
      if (process.env.DSR_HANDS) console.log(`        ${kind}: ${what}`);
      if (kind === 'press') this.presses += 1;
      else if (kind === 'typed') this.typedFields += 1;
    });
    await page.addInitScript(`(() => {
      const ACTS = 'button, [role="button"], [role="checkbox"], input[type="checkbox"], [role="option"], [role="menuitem"], [role="combobox"], a[href]';
      const HOST = '[role="treeitem"], [title="Hide log panel"]';
      addEventListener('click', (event) => {
        const target = event.target instanceof Element ? event.target.closest(ACTS) : null;
        if (target && !target.closest(HOST)) window.__dsrHand('press', (target.getAttribute('aria-label') || target.textContent || target.tagName).trim().slice(0, 60));
      }, true);
      let typedSinceFocus = true;
      addEventListener('focusin', () => { typedSinceFocus = false; }, true);
      addEventListener('input', (event) => {
        if (typedSinceFocus || !(event.target instanceof Element)) return;
        const field = event.target.closest('input:not([type="checkbox"]), textarea, [contenteditable="true"]');
        if (!field) return;
        typedSinceFocus = true;
        window.__dsrHand('typed', field.getAttribute('aria-label') || field.tagName);
      }, true);
      addEventListener('keydown', (event) => {
        if (event.key !== 'Enter' || !(event.target instanceof Element) || !event.target.closest('[data-lexical-editor="true"]')) return;
        window.__dsrHand('press', 'Enter');
        // Sending empties the message box: the next message is typed anew, though the box kept the focus.
        typedSinceFocus = false;
      }, true);
    })()`);
  }
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

  /**
   * From now on the page remembers the text of every card it shows, so a card that is replaced
   * within moments (a progress card) can still be asserted on afterwards.
   */
  async recordTexts(): Promise<void> {
    await this.page.evaluate(`(() => {
      const seen = (window.__seenCards = new Set());
      const note = () => document.querySelectorAll('.ac-adaptiveCard').forEach((card) => seen.add(card.innerText));
      note();
      new MutationObserver(note).observe(document.body, { childList: true, subtree: true, characterData: true });
    })()`);
  }

  async sawText(text: string): Promise<boolean> {
    return this.page.evaluate<boolean>(
      `[...(window.__seenCards ?? [])].some((card) => card.includes(${JSON.stringify(text)}))`,
    );
  }

  /** One step of a plan card: the block that starts with its title (a follow-up may quote it), with its own buttons. */
  step(card: Locator, title: string): Locator {
    const escaped = title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return card
      .locator('.ac-container')
      .filter({ hasText: new RegExp(`^${escaped} ·`) })
      .last();
  }

  /** The href of the newest link with this text; links in messages open in a new tab, so a test reads them. */
  async linkHref(text: string): Promise<string> {
    const link = this.page.getByRole('link', { name: text }).last();
    await link.waitFor();
    const href = await link.getAttribute('href');
    if (!href) throw new Error(`the link "${text}" has no address`);
    return href;
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
