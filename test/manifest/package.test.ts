import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { readZip } from '../support/packageReaders.js';
import {
  ConfigError,
  DEFAULTS,
  PackageError,
  buildPackage,
  defaultedVariables,
  loadConfig,
  readPackageVersion,
  readTemplate,
  renderManifest,
  writePackage,
  type DsrManifest,
} from '../../manifest/buildPackage.js';
import { iconsDir } from '../../manifest/paths.js';

const APP_ID = '0d7e9c41-2b6a-4f3e-9a18-5c4b3d2e1f00';
const PUBLIC_URL = 'https://dsr.contoso.com';
const CLI = fileURLToPath(new URL('../../manifest/buildPackage.js', import.meta.url));

function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env, '1.0.0');
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  assert.fail('expected a ConfigError');
}

/** The environment without any of this package's settings, so a developer's shell cannot leak into a test. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => name !== 'MicrosoftAppId' && !name.startsWith('DSR_')),
  );
  return { ...env, ...extra };
}

describe('Teams app package', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dsr-package-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('configuration', () => {
    it('needs MicrosoftAppId and DSR_PUBLIC_URL and says what they should be', () => {
      for (const env of [{}, { MicrosoftAppId: '   ', DSR_PUBLIC_URL: ' ' }]) {
        const error = configError(env);
        assert.deepEqual(error.problems, [
          "MicrosoftAppId: expected the bot's Microsoft Entra application (client) ID, a GUID (not set)",
          'DSR_PUBLIC_URL: expected the https address the bot is reached at, such as https://dsr.contoso.com (not set)',
        ]);
        assert.match(error.message, /MicrosoftAppId/);
      }
    });

    it('rejects a MicrosoftAppId that is not a GUID, naming the variable and the value', () => {
      assert.deepEqual(configError({ MicrosoftAppId: 'dsr-bot', DSR_PUBLIC_URL: PUBLIC_URL }).problems, [
        `MicrosoftAppId: expected the bot's Microsoft Entra application (client) ID, a GUID (got "dsr-bot")`,
      ]);
    });

    it('fills in the package version and stand-in developer details', () => {
      assert.deepEqual(loadConfig({ MicrosoftAppId: ` ${APP_ID} `, DSR_PUBLIC_URL: `${PUBLIC_URL}/` }), {
        MicrosoftAppId: APP_ID,
        DSR_APP_VERSION: readPackageVersion(),
        ...DEFAULTS,
        DSR_PUBLIC_URL: PUBLIC_URL,
        DSR_PUBLIC_HOST: 'dsr.contoso.com',
      });
      assert.deepEqual(defaultedVariables({ DSR_PRIVACY_URL: 'https://contoso.com/privacy', DSR_TERMS_URL: ' ' }), [
        'DSR_DEVELOPER_NAME',
        'DSR_DEVELOPER_URL',
        'DSR_TERMS_URL',
      ]);
    });

    it('takes the version, developer name and https URLs from the environment', () => {
      const env = {
        MicrosoftAppId: APP_ID,
        DSR_APP_VERSION: '2.3.4',
        DSR_DEVELOPER_NAME: 'Contoso "Privacy" Office',
        DSR_DEVELOPER_URL: 'https://intranet.contoso.com/dsr',
        DSR_PRIVACY_URL: 'https://contoso.com/privacy',
        DSR_TERMS_URL: 'https://contoso.com/terms',
        DSR_PUBLIC_URL: 'https://bots.contoso.com/dsr',
      };
      assert.deepEqual(loadConfig(env), { ...env, DSR_PUBLIC_HOST: 'bots.contoso.com' });
    });

    it('lists every bad setting at once', () => {
      const problems = configError({
        MicrosoftAppId: APP_ID,
        DSR_APP_VERSION: '1.0',
        DSR_DEVELOPER_NAME: 'x'.repeat(33),
        DSR_DEVELOPER_URL: 'http://contoso.com',
        DSR_PRIVACY_URL: 'contoso.com/privacy',
        DSR_TERMS_URL: 'https://localhost/terms',
        DSR_PUBLIC_URL: 'http://dsr.contoso.com',
      }).problems;
      assert.deepEqual(
        problems.map((problem) => problem.split(':')[0]),
        [
          'DSR_APP_VERSION',
          'DSR_DEVELOPER_NAME',
          'DSR_DEVELOPER_URL',
          'DSR_PRIVACY_URL',
          'DSR_TERMS_URL',
          'DSR_PUBLIC_URL',
        ],
      );
      assert.equal(problems[0], 'DSR_APP_VERSION: expected a version MAJOR.MINOR.PATCH such as 1.4.0 (got "1.0")');
      assert.equal(
        problems[2],
        'DSR_DEVELOPER_URL: expected an https URL with a domain name (got "http://contoso.com")',
      );
    });
  });

  describe('writePackage', () => {
    let manifest: DsrManifest;

    beforeEach(() => {
      manifest = renderManifest(
        loadConfig({ MicrosoftAppId: APP_ID, DSR_APP_VERSION: '1.0.7', DSR_PUBLIC_URL: PUBLIC_URL }),
      );
    });

    it('zips exactly manifest.json and the two icons at the root', async () => {
      const out = await writePackage({ manifest, iconsDir: iconsDir(), out: join(dir, 'appPackage.zip') });
      assert.equal(out, join(dir, 'appPackage.zip'));
      const entries = await readZip(out);
      assert.deepEqual([...entries.keys()].sort(), ['color.png', 'manifest.json', 'outline.png']);

      const inside = JSON.parse(entries.get('manifest.json')!.toString('utf8'));
      assert.equal(inside.id, APP_ID);
      assert.equal(inside.bots[0].botId, APP_ID);
      assert.equal(inside.version, '1.0.7');
      assert.deepEqual(inside, JSON.parse(JSON.stringify(manifest)));

      for (const icon of ['color.png', 'outline.png']) {
        assert.ok(entries.get(icon)!.equals(await readFile(join(iconsDir(), icon))), `${icon} differs`);
      }
      assert.deepEqual(await readdir(dir), ['appPackage.zip']);
    });

    it('creates the target folder and writes the same bytes for the same input', async () => {
      const first = await writePackage({ manifest, iconsDir: iconsDir(), out: join(dir, 'a', 'b', 'one.zip') });
      const second = await writePackage({ manifest, iconsDir: iconsDir(), out: join(dir, 'two.zip') });
      assert.ok((await readFile(first)).equals(await readFile(second)));
    });
  });

  describe('buildPackage', () => {
    it('writes nothing when the manifest or the icons would be refused', async () => {
      const config = loadConfig({ MicrosoftAppId: APP_ID, DSR_PUBLIC_URL: PUBLIC_URL });
      const out = join(dir, 'appPackage.zip');
      await assert.rejects(buildPackage(config, { out, iconsDir: join(dir, 'no-icons') }), (error: unknown) => {
        assert.ok(error instanceof PackageError);
        assert.deepEqual(error.problems, ['color icon color.png: missing', 'outline icon outline.png: missing']);
        return true;
      });
      const template = { ...(readTemplate() as Record<string, unknown>), accentColor: 'blue' };
      await assert.rejects(buildPackage(config, { out, template }), /schema: \/accentColor must match pattern/);
      assert.equal(existsSync(out), false);
    });
  });

  describe('command line', function () {
    this.timeout(30000);
    const run = promisify(execFile);

    it('builds the package at --out and names the stand-ins it used', async () => {
      const out = join(dir, 'custom.zip');
      const { stdout, stderr } = await run(process.execPath, [CLI, '--out', out], {
        env: cleanEnv({ MicrosoftAppId: APP_ID, DSR_DEVELOPER_NAME: 'Contoso Privacy', DSR_PUBLIC_URL: PUBLIC_URL }),
      });
      assert.match(stdout, new RegExp(`Wrote .*custom\\.zip: DSR Assistant .*${APP_ID}`));
      assert.match(stderr, /Using stand-ins for DSR_DEVELOPER_URL, DSR_PRIVACY_URL, DSR_TERMS_URL/);
      assert.equal(JSON.parse((await readZip(out)).get('manifest.json')!.toString()).developer.name, 'Contoso Privacy');
    });

    it('fails with a message naming MicrosoftAppId when it is missing', async () => {
      const out = join(dir, 'appPackage.zip');
      await assert.rejects(run(process.execPath, [CLI, '--out', out], { env: cleanEnv({}) }), (error: unknown) => {
        const { code, stderr } = error as { code: number; stderr: string };
        assert.equal(code, 1);
        assert.match(stderr, /MicrosoftAppId: expected .*a GUID \(not set\)/);
        return true;
      });
      assert.equal(existsSync(out), false);
    });
  });
});
