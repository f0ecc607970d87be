import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult, type IForbiddenRuleType } from 'dependency-cruiser';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const rules = (
  createRequire(import.meta.url)(join(root, '.dependency-cruiser.cjs')) as { forbidden: IForbiddenRuleType[] }
).forbidden;

/**
 * Cruises a tiny tree laid out like ours, with the project's own rules, and names the rules it breaks.
 * Each file holds only imports: what is checked is which folder may import which.
 */
async function broken(files: Record<string, string>): Promise<string[]> {
  const base = await mkdtemp(join(tmpdir(), 'layers-'));
  try {
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(base, path)), { recursive: true });
      await writeFile(join(base, path), text);
    }
    const result = await cruise(Object.keys(files), {
      baseDir: base,
      ruleSet: { forbidden: rules },
      validate: true,
      tsPreCompilationDeps: true,
    });
    const output = result.output as ICruiseResult;
    return [...new Set(output.summary.violations.map((v) => v.rule.name))].sort();
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

const importOf = (specifier: string) => `import type { X } from '${specifier}';\nexport type Y = X;\n`;
const leaf = 'export type X = string;\n';

describe('the layers', () => {
  it('hold in the code as it is: npm run layers finds nothing', async function () {
    this.timeout(60_000);
    const result = await cruise(
      ['app', 'teams', 'cards', 'dsr', 'storage', 'connectors', 'i18n', 'local', 'scripts', 'sandbox'],
      {
        baseDir: root,
        ruleSet: { forbidden: rules },
        validate: true,
        tsPreCompilationDeps: true,
        exclude: { path: '^(dist|node_modules|dashboard/page)/' },
        doNotFollow: { path: 'node_modules' },
      },
    );
    const violations = (result.output as ICruiseResult).summary.violations;
    assert.deepEqual(
      violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`),
      [],
    );
  });

  const refused: Array<[string, Record<string, string>, string]> = [
    [
      'the domain reaching for storage',
      { 'dsr/case.ts': importOf('../storage/db.js'), 'storage/db.ts': leaf },
      'domain-is-pure',
    ],
    [
      'the domain rendering a card',
      { 'dsr/plan.ts': importOf('../cards/plan.js'), 'cards/plan.ts': leaf },
      'domain-is-pure',
    ],
    [
      'a workflow reaching Teams',
      { 'dsr/runs/packageRun.ts': importOf('../../teams/notifier.js'), 'teams/notifier.ts': leaf },
      'runs-write-packages-only',
    ],
    [
      'a card reading storage',
      { 'cards/case.ts': importOf('../storage/db.js'), 'storage/db.ts': leaf },
      'cards-render-only',
    ],
    [
      'Teams glue reaching into the app',
      { 'teams/bot.ts': importOf('../app/config.js'), 'app/config.ts': leaf },
      'teams-below-app',
    ],
    [
      'a storage adapter knowing Teams',
      { 'storage/db.ts': importOf('../teams/bot.js'), 'teams/bot.ts': leaf },
      'adapters-below-teams',
    ],
    [
      'the production host loading the sandbox',
      { 'app/config.ts': importOf('../sandbox/people.js'), 'sandbox/people.ts': leaf },
      'sandbox-only-for-local-runs',
    ],
    [
      'the catalogues reaching a card',
      { 'i18n/index.ts': importOf('../cards/plan.js'), 'cards/plan.ts': leaf },
      'i18n-is-a-leaf',
    ],
    ['the domain on the Bot Framework SDK', { 'dsr/case.ts': importOf('botbuilder') }, 'domain-without-sdk-or-drivers'],
    ['a card on a database driver', { 'cards/case.ts': importOf('pg') }, 'drivers-only-in-storage'],
    [
      'two modules importing each other, even for types',
      { 'dsr/case.ts': importOf('./plan.js'), 'dsr/plan.ts': importOf('./case.js') },
      'no-cycle',
    ],
  ];
  for (const [what, files, rule] of refused) {
    it(`refuses ${what} (${rule})`, async function () {
      this.timeout(20_000);
      assert.ok(
        rules.some((r) => r.name === rule),
        `the rule ${rule} exists`,
      );
      assert.deepEqual(await broken(files), [rule]);
    });
  }

  it('lets each layer import inward: app → teams → cards → dsr, storage → dsr, anything → i18n', async () => {
    assert.deepEqual(
      await broken({
        'app/app.ts': importOf('../teams/bot.js'),
        'teams/bot.ts': importOf('../cards/case.js'),
        'cards/case.ts': importOf('../dsr/case.js'),
        'storage/db.ts': importOf('../dsr/case.js'),
        'dsr/case.ts': importOf('../i18n/index.js'),
        'i18n/index.ts': leaf,
      }),
      [],
    );
  });
});
