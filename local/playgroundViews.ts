/**
 * The three Teams views of the local demo, as Microsoft 365 Agents Playground configurations: the
 * employee who files requests, the privacy officer who decides them, and a second privacy officer
 * who approves the steps the first one previews (nobody approves their own). The people carry the
 * sandbox's Entra object ids, so the bot's privacy team, the sandbox directory and the Playground
 * agree on who is who.
 */
import { people, PRIVACY_TEAM_GROUP_ID, TENANT_ID } from '../sandbox/seed.js';

export interface PlaygroundUser {
  id: string;
  name: string;
  userPrincipleName: string;
  aadObjectId: string;
  givenName: string;
  surname: string;
  email: string;
}

export interface PlaygroundConfig {
  version: '0.1.1';
  tenantId: string;
  bot: { id: string; name: string };
  currentUser: PlaygroundUser;
  users: PlaygroundUser[];
  personalChat: { id: string };
  groupChat: { id: string; name: string };
  team: { id: string; name: string; aadGroupId: string; channels: Array<{ id: string; name: string }> };
}

export const BOT_NAME = 'DSR Assistant';
export const PRIVACY_TEAM_NAME = 'Privacy';
export const PRIVACY_CHANNEL_NAME = 'Privacy requests';

function user(key: keyof typeof people, givenName: string, surname: string): PlaygroundUser {
  const email = `${givenName}.${surname}@contoso.com`.toLowerCase();
  return {
    id: `29:${givenName.toLowerCase()}-${surname.toLowerCase()}`,
    name: `${givenName} ${surname}`,
    userPrincipleName: email,
    aadObjectId: people[key],
    givenName,
    surname,
    email,
  };
}

/** Colleagues who use Teams (the Playground takes exactly five besides the current user); the former employee has no account any more. */
export const staff = {
  alex: user('alexWilber', 'Alex', 'Wilber'),
  megan: user('meganBowen', 'Megan', 'Bowen'),
  adele: user('adeleVance', 'Adele', 'Vance'),
  isaiah: user('isaiahLanger', 'Isaiah', 'Langer'),
  priya: user('priyaNair', 'Priya', 'Nair'),
  lynne: user('lynneRobbins', 'Lynne', 'Robbins'),
} as const;

export interface PlaygroundView {
  /** Folder-safe name of the view. */
  key: string;
  title: string;
  config: PlaygroundConfig;
}

function view(key: string, title: string, current: PlaygroundUser): PlaygroundView {
  const slug = current.id.slice(3);
  return {
    key,
    title,
    config: {
      version: '0.1.1',
      tenantId: TENANT_ID,
      bot: { id: '28:dsr-assistant', name: BOT_NAME },
      currentUser: current,
      users: Object.values(staff).filter((other) => other.id !== current.id),
      // Each view has its own 1:1 chat, so two people never share a conversation with the bot.
      personalChat: { id: `a:personal-${slug}` },
      groupChat: { id: '19:customer-service@thread.v2', name: 'Customer service' },
      team: {
        id: '19:privacy-team@thread.tacv2',
        name: PRIVACY_TEAM_NAME,
        aadGroupId: PRIVACY_TEAM_GROUP_ID,
        channels: [{ id: '19:privacy-requests@thread.tacv2', name: PRIVACY_CHANNEL_NAME }],
      },
    },
  };
}

export const employeeView = view('employee', 'Employee view (Alex Wilber)', staff.alex);
export const privacyTeamView = view('privacy-team', 'Privacy team view (Megan Bowen)', staff.megan);
export const secondOfficerView = view('second-officer', 'Second privacy officer (Adele Vance)', staff.adele);
export const views: readonly PlaygroundView[] = [employeeView, privacyTeamView, secondOfficerView];

/** YAML is a superset of JSON strings, so every scalar is written JSON-quoted and nothing needs escaping rules. */
export function toYaml(value: unknown, indent = 0): string {
  const pad = ' '.repeat(indent);
  if (Array.isArray(value)) {
    return value
      .map((item) => {
        const body = toYaml(item, indent + 2).trimStart();
        return `${pad}- ${body}`;
      })
      .join('\n');
  }
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value)
      .map(([key, item]) =>
        typeof item === 'object' && item !== null
          ? `${pad}${key}:\n${toYaml(item, indent + 2)}`
          : `${pad}${key}: ${JSON.stringify(item)}`,
      )
      .join('\n');
  }
  return `${pad}${JSON.stringify(value)}`;
}

export function playgroundYaml(config: PlaygroundConfig): string {
  return `# Written by npm start from local/playgroundViews.ts; edit that file, not this one.\n${toYaml(config)}\n`;
}
