export const HELP_TEXT = [
  'I help you pass on requests people make about their personal data (GDPR data subject requests) and follow them to the end.',
  '',
  '- **new request**: record a request someone sent you (access, correction, restriction, deletion or a copy of their data); paste their mail after it and I fill in the form from it',
  '- **what is due this week**: the requests due by Sunday',
  '- **status**: your requests with their due dates; **status DSR-2026-0001** for one of them',
  '- **my requests**: only the requests you filed',
  '- **help**: this list',
  '',
  'For the privacy team: **use this channel** (in the team channel where requests should arrive), **status** for every open request, **audit DSR-2026-0001** for a case’s trail, **verify audit** to check the whole trail for tampering, **reminders** (or **reminders 14 days**, **page 2** for more) for the deadline reminders coming up, **snooze DSR-2026-0001 for 3 days because …** to quiet a case’s reminders before its deadline, **export case file DSR-2026-0001** for the whole record of a case before its personal data is deleted.',
  '',
  'The legal clock usually starts when the request reached anyone in the company, so please record it today.',
].join('\n');

export const NOT_UNDERSTOOD =
  'Sorry, I did not understand that. Type **new request** to record a data subject request, **status** to see yours, or **help**.';
