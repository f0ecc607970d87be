import assert from 'node:assert/strict';
import { extractRequest } from '../../../dsr/intake/extract.js';
import { findDates, findPhones } from '../../../dsr/intake/identifiers.js';
import { MESSAGE_TEXT_LIMIT } from '../../../dsr/intake/messageText.js';
import { findRights } from '../../../dsr/intake/rights.js';

const OWN = ['example.com'];
const rightsOf = (text: string) => findRights(text).map((hit) => hit.right);

describe('request extraction', () => {
  it('reads the rights in each language, typos and umlauts written out included', () => {
    assert.deepEqual(rightsOf('I want a copy of all personal data you hold on me'), ['access']);
    assert.deepEqual(rightsOf('Bitte um Auskunft und Löschung meiner Daten'), ['access', 'erasure']);
    assert.deepEqual(rightsOf('bitte meine daten loeschen'), ['erasure']);
    assert.deepEqual(rightsOf("J'exerce mon droit d'accès"), ['access']);
    assert.deepEqual(rightsOf('merci de tout efacer, mes données aussi'), ['erasure']);
    assert.deepEqual(rightsOf('Solicito la supresión de mis datos'), ['erasure']);
    assert.deepEqual(rightsOf('Pido la rectificación de mi dirección'), ['rectification']);
    assert.deepEqual(rightsOf('Ich widerspreche der Nutzung für Werbung'), ['objection']);
  });

  it('does not take a login problem or a refused deletion for a right', () => {
    assert.deepEqual(rightsOf('I cannot access my account since yesterday'), []);
    assert.deepEqual(rightsOf('Please do not delete my account, I still need it'), []);
  });

  it('takes the sender as the subject and names where each value came from', () => {
    const extraction = extractRequest({
      body: 'Please delete my account. Customer number: 55-1209.\n\nKind regards,\nAnna Berg',
      from: { name: 'Anna Berg', address: 'Anna.Berg@example.org' },
      ownDomains: OWN,
    });
    assert.equal(extraction.isRequest, true);
    assert.deepEqual(extraction.emails, [{ value: 'anna.berg@example.org', source: 'sender' }]);
    assert.deepEqual(extraction.name, { value: 'Anna Berg', source: 'signature' });
    assert.deepEqual(
      extraction.customerNumbers.map((n) => n.value),
      ['55-1209'],
    );
    assert.equal(extraction.language.code, 'en');
  });

  it('ignores the quoted history of a reply, so the company and its words are not suggested', () => {
    const extraction = extractRequest({
      body: 'Thanks, no further questions.\n\nOn Tue, 11 Feb 2025 at 10:02, Privacy <privacy@example.com> wrote:\n> We will delete your data and erase the account within a month. Write to help@example.net.',
      from: { address: 'joe@example.org' },
      ownDomains: OWN,
    });
    assert.equal(extraction.isRequest, false);
    assert.deepEqual(
      extraction.emails.map((e) => e.value),
      ['joe@example.org'],
    );
  });

  it('takes a forwarded mail’s original sender as the subject, not the colleague who forwarded it', () => {
    const extraction = extractRequest({
      subject: 'WG: Anfrage',
      body: 'Bitte übernehmen.\n\nVon: Monika Schulz <m.schulz@example.net>\nGesendet: Montag, 3. März 2025 09:00\nAn: vertrieb@example.com\nBetreff: Anfrage\n\nBitte löschen Sie alle meine Daten.',
      from: { name: 'Stefan Krause', address: 'stefan.krause@example.com' },
      ownDomains: OWN,
    });
    assert.deepEqual(extraction.emails, [{ value: 'm.schulz@example.net', source: 'forwarded-header' }]);
    assert.deepEqual(extraction.name, { value: 'Monika Schulz', source: 'forwarded-header' });
    assert.deepEqual(
      extraction.rights.map((r) => r.value),
      ['erasure'],
    );
  });

  it('does not suggest a representative as the subject', () => {
    const extraction = extractRequest({
      body: 'We act on behalf of our client (email client.person@example.net) and request erasure of all data.\n\nYours faithfully,\nHarriet Lowe',
      from: { address: 'office@lawfirm.example' },
      ownDomains: OWN,
    });
    assert.equal(extraction.onBehalf, true);
    assert.deepEqual(
      extraction.emails.map((e) => e.value),
      ['client.person@example.net'],
    );
    assert.equal(extraction.name, undefined);
  });

  it('reads HTML mail and drops the confidentiality footer that asks to delete the mail', () => {
    const extraction = extractRequest({
      contentType: 'html',
      body: '<p>Can you fix the spelling of my name on my account?</p><p>This e-mail is confidential. If you are not the intended recipient, please delete it.</p>',
      from: { address: 'x@example.org' },
    });
    assert.deepEqual(
      extraction.rights.map((r) => r.value),
      ['rectification'],
    );
  });

  it('recognises automatic replies and newsletters as no request', () => {
    const away = extractRequest({
      subject: 'Automatic reply: Out of Office',
      body: 'I am out of the office until Monday.',
    });
    assert.equal(away.notRequestReason, 'auto-reply');
    const newsletter = extractRequest({
      body: 'Our privacy policy explains how to delete your data. Unsubscribe | View in browser',
      from: { address: 'newsletter@shop.example' },
    });
    assert.equal(newsletter.isRequest, false);
  });

  it('notes a fifth language instead of forcing it into one of the four', () => {
    const extraction = extractRequest({
      body: 'Buongiorno, vorrei sapere quali dati personali avete su di me e chiedo la cancellazione di tutti i miei dati. Grazie mille.',
      from: { address: 'mario@example.it' },
    });
    assert.equal(extraction.language.code, undefined);
    assert.equal(extraction.language.detected, 'ita');
    assert.ok(extraction.notes.includes('language:ita'));
  });

  it('reads what it can of a huge or binary message and says so', () => {
    const huge = extractRequest({
      body: `Please erase my data.\n${'x '.repeat(MESSAGE_TEXT_LIMIT)}`,
      from: { address: 'a@example.org' },
    });
    assert.ok(huge.notes.includes('truncated'));
    assert.deepEqual(
      huge.rights.map((r) => r.value),
      ['erasure'],
    );
    const binary = extractRequest({
      body: `\u0000\u0001PK\u0003\u0004${'\u0000\u0007\u0010'.repeat(40)}`,
      from: { address: 'a@example.org' },
    });
    assert.ok(binary.notes.includes('binary'));
    assert.equal(binary.isRequest, false);
  });

  it('reads long runs without spaces, addresses or sentence ends in one pass (they once took minutes)', () => {
    for (const body of ['a'.repeat(100_000), 'a.'.repeat(50_000), '0'.repeat(100_000), 'x@y '.repeat(25_000)]) {
      const extraction = extractRequest({ body });
      assert.equal(extraction.isRequest, false);
      assert.ok(extraction.notes.length <= 2);
    }
  });

  it('finds phone numbers without taking order numbers or dates for them', () => {
    assert.deepEqual(findPhones('Call me on +49 30 1234567 about order 300188452 from 12.02.2025'), ['+49 30 1234567']);
    assert.deepEqual(findPhones('Mobil: 0176 12345678'), ['0176 12345678']);
  });

  it('reads dates day first, written out in each language, and keeps only real ones', () => {
    assert.deepEqual(
      findDates(
        'am 3. März 2025, le 12 février 2025, el 5 de mayo de 2024, on March 7, 2025, 03/04/2025, 31.02.2025',
      ).map((d) => d.date),
      ['2025-04-03', '2025-03-03', '2025-02-12', '2024-05-05', '2025-03-07'],
    );
  });
});
