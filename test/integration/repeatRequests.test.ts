import assert from 'node:assert/strict';
import { BotHarness } from '../support/botHarness.js';
import { CaseFlow } from '../support/caseFlow.js';
import { adele, alex, megan } from '../support/people.js';

const DAY = 86_400_000;

describe('a repeat request of the same person', () => {
  let bot: BotHarness;
  let ahead = 0;
  const clock = { now: () => new Date(Date.now() + ahead) };
  beforeEach(async () => {
    ahead = 0;
    bot = await new BotHarness({ DSR_REPEAT_MONTHS: '6', DSR_REMINDERS: 'off' }, { clock }).start();
  });
  afterEach(() => bot.stop());

  const flow = new CaseFlow(() => bot);
  const file = (fields: Record<string, string>) => flow.file(alex, { requestTypes: 'access', ...fields });
  const teamCard = (caseId: string) => flow.card(megan, 'triage.refresh', caseId);

  it('is pointed out to the team with the open case it repeats, by email or customer number, never by name alone', async () => {
    const first = await file({ subjectName: 'Maria Garcia', subjectEmails: 'maria.garcia@example.org' });
    const byEmail = await file({ subjectName: 'M. Garcia', subjectEmails: 'Maria.Garcia@example.org' });
    assert.match(await teamCard(byEmail), new RegExp(`another request: ${first} \\(open\\).*Art\\. 12\\(5\\)`));

    const withNumber = await file({ subjectName: 'Sean O’Brien', customerNumber: 'C00020' });
    const byNumber = await file({ subjectName: 'Sean OBrien', customerNumber: 'C00020' });
    assert.match(await teamCard(byNumber), new RegExp(`another request: ${withNumber} \\(open\\)`));

    const sameName = await file({ subjectName: 'Maria Garcia', subjectEmails: 'someone.else@example.org' });
    assert.doesNotMatch(await teamCard(sameName), /another request/);

    // The trail names the linked case, never the identifier that matched.
    const created = [];
    for await (const event of bot.app.store.auditEvents(byEmail)) if (event.action === 'create') created.push(event);
    assert.deepEqual(created[0]?.detail.relatedCases, [first]);
    assert.doesNotMatch(JSON.stringify(created), /maria/i);
  });

  it('links an answered case only within DSR_REPEAT_MONTHS, and leaves the decision to the team', async () => {
    const first = await file({ subjectName: 'Maria Garcia', subjectEmails: 'maria.garcia@example.org' });
    const megansId = { id: megan.aadObjectId, name: megan.name };
    await bot.app.services.cases.act(megansId, first, await flow.version(first), {
      kind: 'decline',
      reason: 'not-our-data',
      explanation: '',
    });
    ahead = 30 * DAY;
    const soon = await file({ subjectName: 'Maria Garcia', subjectEmails: 'maria.garcia@example.org' });
    const soonCard = await teamCard(soon);
    assert.match(soonCard, new RegExp(`${first} \\(answered`));
    // Still the team's to decide: it can approve or decline as for any request.
    assert.match(soonCard, /Approve/);
    assert.match(await flow.card(adele, 'triage.verifyIdentity', soon), /Identity marked as verified/);

    ahead = 200 * DAY;
    const later = await file({ subjectName: 'Maria Garcia', subjectEmails: 'maria.garcia@example.org' });
    assert.doesNotMatch(await teamCard(later), new RegExp(`${first} `));
  });
});
