import type { TFunction } from 'i18next';
import { translator } from '../../i18n/index.js';

const EVERYONE = ['newRequest', 'dueThisWeek', 'status', 'myRequests', 'help'] as const;
const TEAM = ['status', 'reminders', 'snooze', 'audit', 'verify', 'caseFile', 'channel'] as const;

/**
 * What the person can ask, for their role: everyone files and follows requests; a member of the
 * privacy team also works the cases (reminders, the trail, the channel). The bot knows no role
 * beyond these two. Commands read in the person's language where the bot understands them there.
 */
export function helpText(t: TFunction, privacyTeam: boolean): string {
  const list = (part: 'everyone' | 'team', keys: readonly string[]) => [
    t(`help.${part}.title`),
    ...keys.map((key) => `- ${t(`help.${part}.${key}`)}`),
  ];
  return [
    t('help.intro'),
    '',
    ...list('everyone', EVERYONE),
    '',
    ...(privacyTeam ? [...list('team', TEAM), '', t('help.team.approvals')] : [t('help.requesterOnly')]),
    '',
    t('help.clock'),
  ].join('\n');
}

export function notUnderstood(locale: string | undefined): string {
  return translator(locale)('help.notUnderstood');
}
