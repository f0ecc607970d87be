import assert from 'node:assert/strict';
import { validateIntake } from '../../dsr/intake.js';
import { inEnglish } from '../../i18n/index.js';

const NOW = new Date('2026-03-10T12:00:00.000Z');
const ZONE = 'Europe/Berlin';
const valid = {
  subjectName: 'Sean O’Brien',
  subjectEmails: 'Sean.OBrien@example.org; sean@example.com',
  requestTypes: 'access,export',
  regulation: 'GDPR',
  subjectRole: 'customer',
  identityCheck: 'not-yet',
  receivedDate: '2026-03-09',
  receivedTime: '17:30',
};

describe('intake validation', () => {
  it('accepts a complete form and normalises it', () => {
    const result = validateIntake(valid, NOW, ZONE);
    assert.ok(result.ok);
    assert.deepEqual(result.request.subject.emails, ['sean.obrien@example.org', 'sean@example.com']);
    assert.deepEqual(result.request.requestTypes, ['access', 'export']);
    assert.equal(result.request.receivedAt.toISOString(), '2026-03-09T16:30:00.000Z');
  });

  it('defaults the received time to now when no date is given', () => {
    const result = validateIntake({ ...valid, receivedDate: '', receivedTime: '' }, NOW, ZONE);
    assert.ok(result.ok);
    assert.equal(result.request.receivedAt.toISOString(), NOW.toISOString());
  });

  const refusals: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ['no identifier at all', { subjectEmails: '' }, 'subjectEmails', /at least one way to find the person/],
    ['a malformed email', { subjectEmails: 'maria.garcia@' }, 'subjectEmails', /is not an email address/],
    ['no name', { subjectName: '   ' }, 'subjectName', /name/],
    ['a name over the limit', { subjectName: 'x'.repeat(201) }, 'subjectName', /under 200/],
    ['details over the limit', { details: 'x'.repeat(2001) }, 'details', /under 2000/],
    ['an unknown request type', { requestTypes: 'access,sell' }, 'requestTypes', /"sell" is not a request type/],
    ['no request type', { requestTypes: '' }, 'requestTypes', /at least one/],
    ['an unknown regulation', { regulation: 'HIPAA' }, 'regulation', /GDPR, CCPA, LGPD/],
    ['a date in the future', { receivedDate: '2026-03-11', receivedTime: '' }, 'receivedDate', /future/],
    ['a time later today', { receivedDate: '2026-03-10', receivedTime: '18:00' }, 'receivedDate', /future/],
    ['a date that does not exist', { receivedDate: '2026-02-30' }, 'receivedDate', /does not exist/],
    ['a malformed date', { receivedDate: '10/03/2026' }, 'receivedDate', /YYYY-MM-DD/],
    ['a role we do not know', { subjectRole: 'alien' }, 'subjectRole', /listed roles/],
    ['a value that is not text', { subjectName: { $gt: '' } }, 'subjectName', /could not be read/],
  ];
  for (const [name, change, field, message] of refusals) {
    it(`refuses ${name}`, () => {
      const result = validateIntake({ ...valid, ...change }, NOW, ZONE);
      assert.equal(result.ok, false);
      const said = !result.ok ? result.errors[field as keyof typeof result.errors] : undefined;
      assert.ok(said, `a problem with ${field}`);
      assert.match(inEnglish(said), message);
    });
  }

  it('accepts a phone number alone as the identifier', () => {
    const result = validateIntake({ ...valid, subjectEmails: '', subjectPhone: '+49 30 1234567' }, NOW, ZONE);
    assert.ok(result.ok);
  });
});
