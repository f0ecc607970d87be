import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { LETTER_KINDS, LETTER_LOCALES, type LetterKind } from './letterKinds.js';

/**
 * Letter templates are Handlebars files, one per letter and language: `<language>/<kind>.hbs`.
 * Handlebars because its templates stay readable to the people who word letters (no code in
 * them, only fields, `#if` and `#each`), it escapes every value for HTML by default, and its
 * strict mode refuses a field the letter does not have instead of leaving a gap. The first line
 * of a template is `Subject: ...`; the rest is the HTML body.
 */
export class TemplateError extends Error {
  constructor(readonly problems: string[]) {
    super(`The letter templates are not usable:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'TemplateError';
  }
}

export interface RenderedLetter {
  subject: string;
  html: string;
}

/** The project's own templates, beside the compiled code or the sources. */
export function builtInTemplatesDir(): string {
  const candidates = ['../../../letters/', '../../letters/'].map((relative) =>
    fileURLToPath(new URL(relative, import.meta.url)),
  );
  return candidates.find((dir) => existsSync(join(dir, 'en'))) ?? candidates[0]!;
}

const SUBJECT = /^Subject: *(.+)\r?\n/;

interface Compiled {
  file: string;
  render: Handlebars.TemplateDelegate;
}

export class LetterTemplates {
  private constructor(
    private readonly templates: Map<string, Compiled>,
    readonly languages: readonly string[],
  ) {}

  /**
   * Reads the built-in templates, then the organisation's folder: a file there replaces the
   * built-in one of the same language and letter, and a new language folder adds a language.
   * Every language must have every letter; a missing or broken file stops with its name.
   */
  static load(builtInDir: string, organisationDir?: string): LetterTemplates {
    const engine = Handlebars.create();
    registerHelpers(engine);
    const problems: string[] = [];
    const files = new Map<string, string>();
    const languages = new Set<string>();
    for (const dir of [builtInDir, organisationDir]) {
      if (dir === undefined) continue;
      if (!existsSync(dir)) {
        problems.push(`${dir}: the folder does not exist`);
        continue;
      }
      for (const language of readdirSync(dir, { withFileTypes: true })) {
        if (!language.isDirectory() || !/^[a-z]{2}$/.test(language.name)) continue;
        languages.add(language.name);
        for (const kind of LETTER_KINDS) {
          const file = join(dir, language.name, `${kind}.hbs`);
          if (existsSync(file)) files.set(`${language.name}/${kind}`, file);
        }
      }
    }
    const templates = new Map<string, Compiled>();
    for (const language of languages) {
      for (const kind of LETTER_KINDS) {
        const file = files.get(`${language}/${kind}`);
        if (!file) {
          problems.push(`${language}/${kind}.hbs: missing (every language needs every letter)`);
          continue;
        }
        const source = readFileSync(file, 'utf8');
        if (!SUBJECT.test(source)) {
          problems.push(`${file}: the first line must be "Subject: ..."`);
          continue;
        }
        try {
          // Parsed now, so a syntax error stops the start rather than a send.
          engine.precompile(source, { strict: true });
        } catch (error) {
          problems.push(`${file}: ${firstLine(error instanceof Error ? error.message : String(error))}`);
          continue;
        }
        templates.set(`${language}/${kind}`, { file, render: engine.compile(source, { strict: true }) });
      }
    }
    if (problems.length > 0) throw new TemplateError(problems);
    return new LetterTemplates(templates, [...languages].sort());
  }

  has(language: string): boolean {
    return this.languages.includes(language);
  }

  /** Renders a letter whole or not at all: a field the template names and the letter lacks is an error. */
  render(kind: LetterKind, language: string, view: object): RenderedLetter {
    const template = this.templates.get(`${language}/${kind}`);
    if (!template) throw new TemplateError([`${language}/${kind}.hbs: there is no such template`]);
    let text: string;
    try {
      text = template.render({ ...view, lang: language });
    } catch (error) {
      throw new TemplateError([
        `${template.file}: ${firstLine(error instanceof Error ? error.message : String(error))}`,
      ]);
    }
    const match = SUBJECT.exec(text);
    return { subject: (match?.[1] ?? '').trim(), html: text.slice(match?.[0].length ?? 0).trim() };
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

/** Dates and numbers in the letter's own language: "3. April 2026", "3 avril 2026", "1.234". */
function registerHelpers(engine: typeof Handlebars): void {
  // Picks the wording for a code, such as a refusal ground, inside the template of each language.
  engine.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  engine.registerHelper('date', function (this: unknown, iso: unknown, options: Handlebars.HelperOptions) {
    const root = (options.data as { root: { lang: string; timeZone: string } }).root;
    if (typeof iso !== 'string' || iso === '') throw new Error('date: the letter has no such date');
    const locale = LETTER_LOCALES[root.lang] ?? root.lang;
    return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: root.timeZone }).format(new Date(iso));
  });
  // The wording for a count in the letter's language, chosen by its plural rules (CLDR, through
  // Intl.PluralRules): `{{plural n one="# record erased" other="# records erased"}}`; `#` is the
  // number as the language writes it. `other` is required; `zero`, `two`, `few`, `many` where the
  // language has them.
  engine.registerHelper('plural', function (this: unknown, value: unknown, options: Handlebars.HelperOptions) {
    const root = (options.data as { root: { lang: string } }).root;
    if (typeof value !== 'number') throw new Error('plural: the letter has no such number');
    const forms = options.hash as Record<string, unknown>;
    if (typeof forms.other !== 'string') throw new Error('plural: give the other="…" form');
    const locale = LETTER_LOCALES[root.lang] ?? root.lang;
    const category = new Intl.PluralRules(locale).select(value);
    const form = typeof forms[category] === 'string' ? forms[category] : forms.other;
    return form.replaceAll('#', new Intl.NumberFormat(locale).format(value));
  });
  engine.registerHelper('number', function (this: unknown, value: unknown, options: Handlebars.HelperOptions) {
    const root = (options.data as { root: { lang: string } }).root;
    if (typeof value !== 'number') throw new Error('number: the letter has no such number');
    return new Intl.NumberFormat(LETTER_LOCALES[root.lang] ?? root.lang).format(value);
  });
}
