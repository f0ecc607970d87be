import { subjects } from './seed.js';
import type { DeliveredMail } from './systems/graphInbox.js';

const HOUR = 60 * 60 * 1000;

/**
 * What the privacy mailbox holds when the sandbox starts: a request in each of the bot's four
 * languages, from people the sample systems know, and the mail that is not a request which any
 * privacy address also receives (a newsletter, an invoice question, an out-of-office reply).
 * Received in the last days, so a first sync that reads two weeks back finds them all.
 */
export function seedInbox(now: number = Date.now()): DeliveredMail[] {
  const at = (hoursAgo: number) => new Date(now - hoursAgo * HOUR).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return [
    {
      subject: 'Request for a copy of my personal data',
      from: { name: 'Maria Garcia', address: subjects.mariaGarcia.email },
      receivedDateTime: at(50),
      body: [
        'Hello,',
        '',
        'under Article 15 GDPR I would like a copy of all personal data you hold about me.',
        `My customer number is ${subjects.mariaGarcia.bcCustomerNumber}.`,
        '',
        'Kind regards,',
        'Maria Garcia',
      ].join('\n'),
    },
    {
      subject: 'Löschung meiner Daten',
      from: { name: 'Lena Fischer', address: subjects.lenaFischer.email },
      receivedDateTime: at(40),
      contentType: 'html',
      body: [
        '<html><body><p>Sehr geehrte Damen und Herren,</p>',
        '<p>hiermit verlange ich gemäß Art. 17 DSGVO die Löschung aller meiner personenbezogenen Daten.</p>',
        '<p>Mit freundlichen Grüßen<br>Lena Fischer</p></body></html>',
      ].join(''),
    },
    {
      subject: "Demande d'accès à mes données",
      from: { name: "Sean O'Brien", address: subjects.seanOBrien.email },
      receivedDateTime: at(30),
      body: [
        'Bonjour,',
        '',
        "Conformément au RGPD, je souhaite exercer mon droit d'accès à mes données personnelles.",
        '',
        'Cordialement,',
        "Sean O'Brien",
      ].join('\n'),
    },
    {
      subject: 'Solicitud de supresión de datos',
      from: { name: 'Tomás Ruiz', address: subjects.tomasRuiz.email },
      receivedDateTime: at(20),
      body: [
        'Hola:',
        '',
        'Me llamo Tomás Ruiz y solicito la supresión de mis datos personales conforme al RGPD.',
        '',
        'Un saludo,',
        'Tomás Ruiz',
      ].join('\n'),
    },
    {
      subject: 'Your monthly privacy newsletter',
      from: { name: 'Privacy Weekly', address: 'newsletter@privacy-weekly.example' },
      receivedDateTime: at(15),
      contentType: 'html',
      body: '<html><body><h1>This month in privacy</h1><p>Regulators published new guidance.</p><p><a href="https://privacy-weekly.example/u">Unsubscribe</a> | View in browser</p></body></html>',
    },
    {
      subject: 'Question about invoice 2024-1187',
      from: { name: 'Paul Becker', address: 'paul.becker@example.net' },
      receivedDateTime: at(10),
      body: 'Hi, the amount on invoice 2024-1187 looks wrong to me. Could someone from accounts call me back?\n\nPaul Becker',
    },
    {
      subject: 'Automatic reply: Your request',
      from: { name: 'Jordan Lee', address: subjects.jordanLee.email },
      receivedDateTime: at(5),
      body: 'I am out of the office until Monday with limited access to email.',
    },
  ];
}
