import assert from 'node:assert/strict';
import {
  COMMAND_LIMITS,
  loadConfig,
  readTemplate,
  renderManifest,
  validateManifest,
  type DsrManifest,
} from '../../manifest/buildPackage.js';

const APP_ID = '6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f';
const SETTINGS = { MicrosoftAppId: APP_ID, DSR_PUBLIC_URL: 'https://dsr.contoso.com' };

function rendered(): DsrManifest {
  return renderManifest(loadConfig(SETTINGS, '1.2.3'));
}

function commandsFor(manifest: DsrManifest, scope: string): string[] {
  return (manifest.bots?.[0]?.commandLists ?? [])
    .filter((list) => list.scopes.some((s) => s === scope))
    .flatMap((list) => list.commands.map((command) => command.title));
}

describe('Teams app manifest', () => {
  it('renders from the template into a manifest the official schema accepts', async () => {
    const manifest = rendered();
    assert.deepEqual(await validateManifest(manifest), []);
    assert.equal(manifest.id, APP_ID);
    assert.equal(manifest.bots?.[0]?.botId, APP_ID);
    assert.equal(manifest.version, '1.2.3');
    assert.equal(manifest.name.short, 'DSR Assistant');
    assert.doesNotMatch(JSON.stringify(manifest), /\$\{\{/);
  });

  it('uses the newest schema that @microsoft/app-manifest ships', () => {
    const manifest = rendered();
    assert.equal(manifest.manifestVersion, '1.30');
    assert.equal(
      manifest.$schema,
      'https://developer.microsoft.com/json-schemas/teams/v1.30/MicrosoftTeams.schema.json',
    );
  });

  it('offers "Record as privacy request" on any message, as a message action that opens a task module', async () => {
    const manifest = rendered();
    assert.deepEqual(await validateManifest(manifest), []);
    assert.deepEqual(manifest.composeExtensions, [
      {
        botId: APP_ID,
        commands: [
          {
            id: 'recordPrivacyRequest',
            type: 'action',
            title: 'Record as privacy request',
            description: 'Open the data subject request form filled in from this message, to check and submit',
            context: ['message'],
            fetchTask: true,
          },
        ],
      },
    ]);
  });

  it('declares one conversational bot that can send files, in personal, team and group chat scopes', () => {
    const bot = rendered().bots?.[0];
    assert.ok(bot);
    assert.deepEqual([...bot.scopes].sort(), ['groupChat', 'personal', 'team']);
    assert.equal(bot.supportsFiles, true);
    assert.equal(bot.isNotificationOnly, false);
  });

  it('shows the privacy dashboard as a personal tab beside the chat and as a channel tab, with single sign-on', async () => {
    const manifest = rendered();
    assert.deepEqual(await validateManifest(manifest), []);
    assert.deepEqual(manifest.staticTabs, [
      { entityId: 'conversations', scopes: ['personal'] },
      {
        entityId: 'privacy-dashboard',
        name: 'Dashboard',
        contentUrl: 'https://dsr.contoso.com/dashboard',
        websiteUrl: 'https://dsr.contoso.com/dashboard',
        scopes: ['personal'],
      },
    ]);
    assert.deepEqual(manifest.configurableTabs, [
      {
        configurationUrl: 'https://dsr.contoso.com/dashboard/configure',
        canUpdateConfiguration: false,
        scopes: ['team'],
      },
    ]);
    assert.deepEqual(manifest.webApplicationInfo, { id: APP_ID, resource: `api://dsr.contoso.com/botid-${APP_ID}` });
    assert.deepEqual(manifest.validDomains, ['dsr.contoso.com']);
  });

  it('reports a single sign-on app id that is not a GUID through the official schema', async () => {
    const manifest = rendered();
    manifest.webApplicationInfo!.id = 'dsr-assistant';
    const problems = await validateManifest(manifest);
    assert.ok(
      problems.some((p) => p.startsWith('schema: /webApplicationInfo/id must match pattern')),
      problems.join('\n'),
    );
  });

  it('offers each scope its own commands', () => {
    const manifest = rendered();
    assert.deepEqual(commandsFor(manifest, 'personal'), ['new request', 'status', 'my requests', 'help']);
    assert.deepEqual(commandsFor(manifest, 'team'), [
      'use this channel',
      'status',
      'reminders',
      'audit',
      'verify audit',
      'help',
    ]);
    assert.deepEqual(commandsFor(manifest, 'groupChat'), ['new request', 'status', 'help']);
  });

  it('keeps names and descriptions within what Teams displays', () => {
    const manifest = rendered();
    assert.ok(manifest.name.short.length <= 30);
    assert.ok((manifest.name.full ?? '').length <= 100);
    assert.ok(manifest.description.short.length <= 80);
    assert.ok(manifest.description.full.length <= 4000);
    for (const list of manifest.bots?.[0]?.commandLists ?? []) {
      for (const command of list.commands) {
        assert.ok(command.title.length <= COMMAND_LIMITS.title, command.title);
        assert.ok((command.description ?? '').length <= COMMAND_LIMITS.description, command.title);
      }
    }
  });

  it('reports a short name over 30 characters through the official schema', async () => {
    const manifest = rendered();
    manifest.name.short = 'D'.repeat(31);
    const problems = await validateManifest(manifest);
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0]!, /^schema: \/name\/short must NOT have more than 30 characters/);
  });

  it('reports a bot id that is not a GUID', async () => {
    const manifest = rendered();
    manifest.bots![0]!.botId = 'not-a-guid';
    const problems = await validateManifest(manifest);
    assert.ok(
      problems.some((p) => p.startsWith('schema: /bots/0/botId must match pattern')),
      problems.join('\n'),
    );
  });

  it('reports a placeholder the configuration did not fill', async () => {
    const manifest = rendered();
    manifest.developer.websiteUrl = 'https://${{DSR_SUPPORT_HOST}}/';
    assert.ok((await validateManifest(manifest)).includes('placeholders left unfilled: ${{DSR_SUPPORT_HOST}}'));
  });

  it('refuses a template placeholder without a setting', () => {
    const template = { ...(readTemplate() as Record<string, unknown>), version: '${{DSR_BUILD}}' };
    assert.throws(
      () => renderManifest(loadConfig(SETTINGS, '1.2.3'), template),
      /\$\{\{DSR_BUILD\}\}, which has no setting/,
    );
  });

  it('reports an app version that is not MAJOR.MINOR.PATCH', async () => {
    const manifest = rendered();
    manifest.version = '1.2.3-beta.1';
    assert.ok((await validateManifest(manifest)).some((p) => p.startsWith('version "1.2.3-beta.1"')));
  });

  it('reports a $schema that does not match manifestVersion', async () => {
    const manifest = rendered();
    manifest.$schema = 'https://developer.microsoft.com/json-schemas/teams/v1.17/MicrosoftTeams.schema.json';
    assert.deepEqual(await validateManifest(manifest), [
      '$schema should be https://developer.microsoft.com/json-schemas/teams/v1.30/MicrosoftTeams.schema.json',
    ]);
  });

  describe('command limits the schema does not encode', () => {
    it('allows ten commands in a scope and reports eleven', async () => {
      const manifest = rendered();
      const team = manifest.bots![0]!.commandLists!.find((list) => list.scopes.includes('team'))!;
      team.commands = Array.from({ length: 10 }, (_, i) => ({ title: `command ${i}`, description: 'Does a thing' }));
      assert.deepEqual(await validateManifest(manifest), []);
      team.commands.push({ title: 'command 10', description: 'One too many' });
      assert.deepEqual(await validateManifest(manifest), [
        'bots[0].commandLists: 11 commands for "team"; Teams shows at most 10',
      ]);
    });

    it('counts a command once for every scope its list names', async () => {
      const manifest = rendered();
      const shared = manifest.bots![0]!.commandLists![2]!;
      shared.scopes = ['groupChat', 'personal'];
      shared.commands = Array.from({ length: 7 }, (_, i) => ({ title: `shared ${i}`, description: 'In both scopes' }));
      assert.deepEqual(await validateManifest(manifest), [
        'bots[0].commandLists: 11 commands for "personal"; Teams shows at most 10',
      ]);
    });

    it('reports a title over 32 characters and a description over 128', async () => {
      const manifest = rendered();
      const command = manifest.bots![0]!.commandLists![0]!.commands[0]!;
      command.title = 't'.repeat(33);
      command.description = 'd'.repeat(129);
      const problems = await validateManifest(manifest);
      assert.equal(problems.length, 2, problems.join('\n'));
      assert.match(
        problems[0]!,
        /^bots\[0\]\.commandLists\[0\]\.commands\[0\]\.title "t+" has 33 characters; Teams allows 32$/,
      );
      assert.match(problems[1]!, /\.commands\[0\]\.description "d+" has 129 characters; Teams allows 128$/);
    });

    it('reports a command without a description, a repeated title and a scope the bot lacks', async () => {
      const manifest = rendered();
      const bot = manifest.bots![0]!;
      bot.scopes = ['personal', 'team'];
      bot.commandLists![0]!.commands.push({ title: 'status' });
      const problems = await validateManifest(manifest);
      assert.deepEqual(problems, [
        'bots[0].commandLists[0].commands[4].description is empty',
        'bots[0].commandLists[2] lists commands for "groupChat", a scope the bot is not installed in',
        'bots[0].commandLists: "personal" repeats status',
      ]);
    });
  });
});
