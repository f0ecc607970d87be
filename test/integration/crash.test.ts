import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyChain } from '../../dsr/audit.js';
import { auditKeys, localAuditKey } from '../../dsr/auditKeys.js';
import { LowdbCaseStore } from '../../storage/lowdbStore.js';
import { BotProcess } from '../support/botProcess.js';
import { intakeSubmission } from '../support/intakeSubmission.js';
import { alex } from '../support/people.js';

function intake(port: number): Promise<string | undefined> {
  const activity = {
    ...intakeSubmission({ requestTypes: 'access,delete' }),
    id: randomUUID(),
    channelId: 'msteams',
    serviceUrl: 'http://127.0.0.1:9',
    from: { id: alex.id, name: alex.name, aadObjectId: alex.aadObjectId },
    recipient: { id: '28:bot' },
    conversation: { id: 'personal-crash', conversationType: 'personal' },
  };
  return fetch(`http://127.0.0.1:${port}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(activity),
  })
    .then(async (response) => {
      const text = await response.text();
      return response.status === 200 ? /DSR-\d{4}-\d{4}/.exec(text)?.[0] : undefined;
    })
    .catch(() => undefined);
}

describe('a crash during writes', function () {
  // Two bot processes start and forty intakes are written: on a busy machine that takes a while.
  this.timeout(60_000);
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'dsr-crash-'));
  });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  it('loses no acknowledged case, keeps the audit chain intact and never reuses an id', async () => {
    const first = new BotProcess({ DSR_DATA_DIR: dataDir });
    await first.start();
    const acknowledged: string[] = [];
    let stop = false;
    const writers = Array.from({ length: 6 }, async () => {
      while (!stop) {
        const id = await intake(first.port);
        if (id) acknowledged.push(id);
        else return;
      }
    });
    while (acknowledged.length < 40) await new Promise((resolve) => setTimeout(resolve, 5));
    await first.kill();
    stop = true;
    await Promise.all(writers);

    const second = new BotProcess({ DSR_DATA_DIR: dataDir });
    await second.start();
    const after = await intake(second.port);
    await second.stop();

    for (const name of await readdir(join(dataDir, 'cases'))) {
      assert.match(name, /^DSR-\d{4}-\d{4}\.json$/, 'interrupted writes leave nothing behind');
      JSON.parse(await readFile(join(dataDir, 'cases', name), 'utf8'));
    }

    const store = new LowdbCaseStore(dataDir, auditKeys(await localAuditKey(dataDir)));
    await store.open();
    try {
      const stored = new Set((await store.listCases({})).map((c) => c.id));
      for (const id of acknowledged) assert.ok(stored.has(id), `${id} was acknowledged and must survive`);
      assert.ok(after && !acknowledged.includes(after), 'the id counter continues after the crash');
      const verdict = await verifyChain(store.auditEvents(), store.auditKeys);
      assert.equal(verdict.intact, true, JSON.stringify(verdict));
    } finally {
      await store.close();
    }
  });
});
