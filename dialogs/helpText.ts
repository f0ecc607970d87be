export const HELP_TEXT = [
  'I help you pass on requests people make about their personal data (GDPR data subject requests) and follow them to the end.',
  '',
  '- **new request**: record a request someone sent you (access, correction, restriction, deletion or a copy of their data)',
  '- **status**: your requests with their due dates; **status DSR-2026-0001** for one of them',
  '- **my requests**: only the requests you filed',
  '- **help**: this list',
  '',
  'The legal clock usually starts when the request reached anyone in the company, so please record it today.',
].join('\n');

export const NOT_UNDERSTOOD =
  'Sorry, I did not understand that. Type **new request** to record a data subject request, **status** to see yours, or **help**.';
