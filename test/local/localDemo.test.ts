import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLocalConfig as loadConfig } from '../../local/demo.js';
import { people } from '../../sandbox/seed.js';
import { Playground, PlaygroundError, playgroundCli } from '../../local/playground.js';
import {
  employeeView,
  privacyTeamView,
  secondOfficerView,
  views,
  type PlaygroundView,
} from '../../local/playgroundViews.js';
import { TEST_KEPT_PERIODS } from '../support/deployment.js';

describe('the local demo', () => {
  describe('its privacy team', () => {
    it('is Megan and Adele when no App ID and no team are configured', () => {
      assert.deepEqual(loadConfig({}).privacyTeam.memberIds, [people.meganBowen, people.adeleVance]);
      assert.deepEqual(loadConfig({ DSR_PRIVACY_TEAM_IDS: '' }).privacyTeam.memberIds, [
        people.meganBowen,
        people.adeleVance,
      ]);
    });

    it('is exactly the configured one otherwise', () => {
      const own = 'd0d0d0d0-0000-4000-8000-000000000001';
      assert.deepEqual(loadConfig({ DSR_PRIVACY_TEAM_IDS: own }).privacyTeam.memberIds, [own]);
      const tenant = loadConfig({
        MicrosoftAppId: 'a0a0a0a0-0000-4000-8000-000000000001',
        MicrosoftAppPassword: 'secret',
        DSR_CASE_RETENTION_DAYS: '365',
        DSR_KEPT_PERIODS: TEST_KEPT_PERIODS,
        DSR_AUDIT_KEY: 'audit-key-for-tests-0123456789abcdef',
      });
      assert.deepEqual(tenant.privacyTeam.memberIds, []);
    });
  });

  describe('its three Teams views', () => {
    it('show Alex as the employee, Megan as the privacy officer and Adele as the second one, with the sandbox ids', () => {
      assert.equal(employeeView.config.currentUser.name, 'Alex Wilber');
      assert.equal(employeeView.config.currentUser.aadObjectId, people.alexWilber);
      assert.equal(privacyTeamView.config.currentUser.name, 'Megan Bowen');
      assert.equal(privacyTeamView.config.currentUser.aadObjectId, people.meganBowen);
      assert.equal(secondOfficerView.config.currentUser.name, 'Adele Vance');
      assert.equal(secondOfficerView.config.currentUser.aadObjectId, people.adeleVance);
      assert.deepEqual(
        views.map((view) => view.key),
        ['employee', 'privacy-team', 'second-officer'],
      );
    });

    it('share the tenant, the bot and the privacy channel but not a 1:1 chat', () => {
      const [a, b, c] = views.map((view) => view.config);
      for (const other of [b!, c!]) {
        assert.equal(a!.tenantId, other.tenantId);
        assert.deepEqual(a!.bot, other.bot);
        assert.deepEqual(a!.team, other.team);
      }
      assert.deepEqual(
        a!.team.channels.map((channel) => channel.name),
        ['Privacy requests'],
      );
      assert.equal(a!.team.name, 'Privacy');
      assert.equal(new Set([a!, b!, c!].map((config) => config.personalChat.id)).size, 3);
    });

    it('each know the other people of the walkthrough, never themselves', () => {
      for (const { config } of views) {
        const names = config.users.map((user) => user.name);
        assert.ok(!names.includes(config.currentUser.name));
        for (const name of ['Alex Wilber', 'Megan Bowen', 'Adele Vance', 'Isaiah Langer']) {
          if (name !== config.currentUser.name) assert.ok(names.includes(name), name);
        }
      }
    });
  });

  describe('a Playground', function () {
    this.timeout(60_000);
    let dir: string;
    const cli = playgroundCli();

    before(function () {
      if (!cli) this.skip();
    });
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'dsr-playground-'));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('starts from its view, serves the page and stops', async () => {
      const playground = new Playground({
        view: employeeView,
        endpoint: 'http://localhost:9/api/messages',
        port: 0,
        workDir: dir,
      });
      await playground.start(cli!);
      try {
        const page = await fetch(playground.url);
        assert.equal(page.status, 200);
        assert.match(await readFile(playground.configPath, 'utf8'), /name: "Alex Wilber"/);
      } finally {
        await playground.stop();
      }
      assert.equal(playground.running, false);
    });

    it('reports why it refused its configuration, from its log', async () => {
      const broken: PlaygroundView = {
        ...employeeView,
        config: { ...employeeView.config, users: employeeView.config.users.slice(0, 2) },
      };
      const playground = new Playground({
        view: broken,
        endpoint: 'http://localhost:9/api/messages',
        port: 0,
        workDir: dir,
      });
      await assert.rejects(playground.start(cli!), (error: unknown) => {
        assert.ok(error instanceof PlaygroundError);
        assert.match(error.message, /users.*fewer than 5 items/);
        return true;
      });
      assert.equal(playground.running, false);
    });
  });
});
