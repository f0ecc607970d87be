import type { ConversationReference } from 'botbuilder';
import type { DsrCase } from '../dsr/case.js';
import type { PersonalChatOpening } from './sharedConversation.js';

export type CaseNews = 'approved' | 'declined' | 'extended' | 'closed' | 'answered';

/** Messages the bot sends on its own initiative; the bot layer decides how they travel. */
export interface CaseNotifier {
  /** Posts the case's triage card as a new thread in the privacy team channel. */
  caseCreated(dsrCase: DsrCase): Promise<void>;
  /** Tells the requester, in their 1:1 chat, what was decided about their case. */
  caseNews(dsrCase: DsrCase, news: CaseNews): Promise<void>;
  /** Makes this channel the privacy team's and posts any triage card that had nowhere to go. */
  /** `teamId` is the team's Entra group id where the turn names it (for reading the channel back after a crash). */
  usePrivacyChannel(reference: Partial<ConversationReference>, teamId?: string): Promise<number>;
  /** Sends a user a message in their 1:1 chat; false when the bot has no such chat with them. */
  tellUser(aadObjectId: string, text: string): Promise<boolean>;
  /**
   * Sends a user any activity (such as a file consent card) in their 1:1 chat. Given `opening`, a
   * chat not known yet is opened from the user's id and tenant; false when there is no way to reach them.
   */
  sendToUser(aadObjectId: string, activity: Record<string, unknown>, opening?: PersonalChatOpening): Promise<boolean>;
  /** The channel id of the privacy team's channel, once someone said "use this channel". */
  privacyChannelId(): Promise<string | undefined>;
  /** Remembers where to reach a user in 1:1. */
  rememberUser(aadObjectId: string, reference: Partial<ConversationReference>): Promise<void>;
  /**
   * Every inbound activity: keeps the conversation's latest service address, and a conversation
   * that talks to the bot again is reachable again.
   */
  heardFrom(reference: Partial<ConversationReference>, aadObjectId: string | undefined): Promise<void>;
}
