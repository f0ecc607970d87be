import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AuditEvent } from '../../dsr/audit.js';
import type { ExportManifest } from '../../storage/exportPackage/index.js';
import { subjects } from '../../sandbox/index.js';
import { BotHarness, cardText, invokeCard } from '../support/botHarness.js';
import { CaseFlow, PRIVACY_CHANNEL } from '../support/caseFlow.js';
import { readZip } from '../support/packageReaders.js';
import { adele, alex, megan, type TeamsUser } from '../support/people.js';

const maria = subjects.mariaGarcia;

interface Upload {
  method: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Stands in for the OneDrive upload session Teams hands out on "accept". */
async function uploadStandIn(): Promise<{ url: string; uploads: Upload[]; close: () => Promise<void> }> {
  const uploads: Upload[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      uploads.push({ method: req.method ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 'drive-item-1' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/upload/session-1`,
    uploads,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

interface ConsentContext {
  caseId: string;
  packageId: string;
  userId: string;
}

describe('delivering the package through a Teams file consent card', () => {
  let bot: BotHarness;
  let standIn: Awaited<ReturnType<typeof uploadStandIn>>;
  afterEach(async () => {
    await bot.stop();
    await standIn.close();
  });

  const flow = new CaseFlow(() => bot);
  const press = (user: TeamsUser, verb: string, caseId: string, extra: Record<string, unknown> = {}) =>
    flow.press(user, verb, caseId, extra);
  const consent = (user: TeamsUser, action: 'accept' | 'decline', context: ConsentContext) =>
    bot.post({
      ...bot.base(user),
      type: 'invoke',
      name: 'fileConsent/invoke',
      value: {
        type: 'fileUpload',
        action,
        context,
        ...(action === 'accept'
          ? {
              uploadInfo: {
                name: `${context.caseId}-package.zip`,
                uploadUrl: standIn.url,
                contentUrl: 'https://contoso-my.sharepoint.com/personal/megan/Documents/Applications/package.zip',
                uniqueId: 'unique-1',
                fileType: 'zip',
              },
            }
          : {}),
      },
    });

  async function packagedCase(formats: string): Promise<{ caseId: string; context: ConsentContext; size: number }> {
    const caseId = await flow.planned(alex, {
      subjectName: 'Maria Garcia',
      subjectEmails: maria.email,
      requestTypes: 'access',
    });
    const none = invokeCard(await press(megan, 'plan.preparePackage', caseId, { stepId: 'package', formats: 'pdf' }));
    assert.match(cardText(none), /Choose JSON, CSV or XML/);
    await press(megan, 'plan.preparePackage', caseId, { stepId: 'package', formats });
    const offered = await bot.connector.waitFor(
      () =>
        bot.connector
          .sent(bot.personalConversation(megan))
          .find((a) => /package for/.test(String(a.text)) && Array.isArray(a.attachments)),
      30_000,
    );
    const attachment = (
      offered.attachments as Array<{ contentType: string; name: string; content: Record<string, unknown> }>
    )[0]!;
    assert.equal(attachment.contentType, 'application/vnd.microsoft.teams.card.file.consent');
    assert.match(attachment.name, /-package\.zip$/);
    const context = attachment.content.acceptContext as ConsentContext;
    assert.deepEqual(attachment.content.declineContext, context);
    assert.equal(context.userId, megan.aadObjectId);
    assert.equal(
      bot.connector.calls.some(
        (c) => c.conversationId?.startsWith(PRIVACY_CHANNEL) && /file\.consent/.test(JSON.stringify(c.body)),
      ),
      false,
      'the package is never offered in the channel',
    );
    return { caseId, context, size: attachment.content.sizeInBytes as number };
  }

  it('uploads the package on "accept" and shows it as a file in the 1:1 chat', async function () {
    this.timeout(60_000);
    standIn = await uploadStandIn();
    bot = await new BotHarness({ DSR_PACKAGE_DELIVERY: 'teams-file' }).start();
    await bot.say(megan, 'help');
    await bot.say(adele, 'help');
    const { caseId, context, size } = await packagedCase('json,xml');

    // Someone else answering Megan's card gets nothing uploaded.
    await consent(adele, 'accept', context);
    assert.equal(standIn.uploads.length, 0);
    assert.ok(
      bot.connector.sent(bot.personalConversation(adele)).some((a) => /not available to you/.test(String(a.text))),
    );

    const before = bot.connector.sent(bot.personalConversation(megan)).length;
    const answered = await consent(megan, 'accept', context);
    assert.equal(answered.status, 200);
    assert.equal(standIn.uploads.length, 1);
    const upload = standIn.uploads[0]!;
    assert.equal(upload.method, 'PUT');
    assert.equal(upload.headers['content-range'], `bytes 0-${size - 1}/${size}`);
    assert.equal(upload.body.length, size);
    const zip = await readZip(upload.body);
    const manifest = JSON.parse(zip.get('manifest.json')!.toString('utf8')) as ExportManifest;
    assert.deepEqual(manifest.formats, ['json', 'xml']);
    const files = [...zip.keys()];
    assert.ok(files.some((f) => f.endsWith('.xml')));
    assert.ok(files.some((f) => f.endsWith('.json') && f !== 'manifest.json'));
    // No records in CSV: only the column guide (columns.csv), which the README explains whatever the formats.
    assert.equal(
      files.some((f) => f.endsWith('.csv') && !f.endsWith('columns.csv')),
      false,
    );
    assert.ok(files.some((f) => f.endsWith('columns.csv')));

    const info = bot.connector
      .sent(bot.personalConversation(megan))
      .slice(before)
      .flatMap((a) => (a.attachments ?? []) as Array<{ contentType: string; contentUrl: string; name: string }>)
      .find((a) => a.contentType === 'application/vnd.microsoft.teams.card.file.info');
    assert.ok(info, 'a file card shows the uploaded package');
    assert.match(info.contentUrl, /sharepoint\.com/);

    const events: AuditEvent[] = [];
    for await (const event of bot.app.store.auditEvents(caseId)) events.push(event);
    assert.ok(events.some((e) => e.action === 'downloadPackage' && e.detail.via === 'teams-file'));
  });

  it('offers the signed link when the member declines the file', async function () {
    this.timeout(60_000);
    standIn = await uploadStandIn();
    bot = await new BotHarness({ DSR_PACKAGE_DELIVERY: 'teams-file' }).start();
    await bot.say(megan, 'help');
    const { context } = await packagedCase('json,csv');
    const before = bot.connector.sent(bot.personalConversation(megan)).length;
    assert.equal((await consent(megan, 'decline', context)).status, 200);
    assert.equal(standIn.uploads.length, 0);
    const reply = bot.connector
      .sent(bot.personalConversation(megan))
      .slice(before)
      .find((a) => /Download it/.test(String(a.text)));
    assert.ok(reply, 'the link is offered instead');
    const link = /\((https?:[^)]+)\)/.exec(String(reply.text))![1]!.replace('localhost', '127.0.0.1');
    const response = await fetch(link);
    assert.equal(response.status, 200);
    const zip = await readZip(Buffer.from(await response.arrayBuffer()));
    assert.ok([...zip.keys()].some((f) => f.endsWith('.csv')));
  });
});
