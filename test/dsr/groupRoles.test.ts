import assert from 'node:assert/strict';
import { GroupRoleDirectory } from '../../dsr/groupRoles.js';

describe('the privacy team as an Entra group', () => {
  let now = 0;
  let calls = 0;
  let members = ['A-1', 'b-2'];
  let failing = false;
  const membership = {
    memberIds: () => {
      calls += 1;
      return failing ? Promise.reject(new Error('Graph unavailable')) : Promise.resolve(members);
    },
  };
  const errors: unknown[] = [];
  const directory = () =>
    new GroupRoleDirectory(
      membership,
      { now: () => new Date(now) },
      { groupId: 'g', extraMemberIds: ['c-3'], ttlMs: 60_000 },
      (error) => errors.push(error),
    );

  beforeEach(() => {
    now = 0;
    calls = 0;
    members = ['A-1', 'b-2'];
    failing = false;
    errors.length = 0;
  });

  it('knows group members and configured extras, ignoring case', async () => {
    const roles = directory();
    assert.equal(await roles.isPrivacyTeam('a-1'), true);
    assert.equal(await roles.isPrivacyTeam('C-3'), true);
    assert.equal(await roles.isPrivacyTeam('d-4'), false);
  });

  it('asks Graph once per cache period, also under concurrent checks', async () => {
    const roles = directory();
    await Promise.all(Array.from({ length: 20 }, () => roles.isPrivacyTeam('a-1')));
    assert.equal(calls, 1);
    now = 59_000;
    await roles.isPrivacyTeam('a-1');
    assert.equal(calls, 1);
    members = ['b-2'];
    now = 61_000;
    assert.equal(await roles.isPrivacyTeam('a-1'), false, 'a member who left is out after the cache period');
    assert.equal(calls, 2);
  });

  it('keeps the last known team when Graph fails, and reports the failure', async () => {
    const roles = directory();
    await roles.isPrivacyTeam('a-1');
    failing = true;
    now = 120_000;
    assert.equal(await roles.isPrivacyTeam('a-1'), true);
    assert.equal(errors.length, 1);
  });

  it('falls back to the configured members when Graph was never reachable', async () => {
    failing = true;
    const roles = directory();
    assert.equal(await roles.isPrivacyTeam('a-1'), false);
    assert.equal(await roles.isPrivacyTeam('c-3'), true);
  });
});
