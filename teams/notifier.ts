import { TurnContext, type ConversationReference } from 'botbuilder';
import type { WaitingApproval } from '../dsr/approvalWaiting.js';
import type { DsrCase } from '../dsr/case.js';
import type { PersonalChatOpening } from './conversation/sharedConversation.js';

export type CaseNews = 'approved' | 'declined' | 'extended' | 'closed' | 'answered';

/** Where a card was shown: the conversation of the turn that showed it, and the card's activity id there. */
export interface CardPlace {
  reference: Partial<ConversationReference>;
  activityId?: string;
}

/** The card a press came from: Teams sends its activity id as the invoke's replyToId. */
export function placeOf(context: TurnContext): CardPlace {
  const activityId = context.activity.replyToId;
  return { reference: TurnContext.getConversationReference(context.activity), ...(activityId ? { activityId } : {}) };
}

/** Messages the bot sends on its own initiative; the bot layer decides how they travel. */
export interface CaseNotifier {
  /** Posts the case's triage card as a new thread in the privacy team channel. */
  caseCreated(dsrCase: DsrCase): Promise<void>;
  /**
   * Tells every privacy officer who could approve it, in their 1:1 chat, that a preview or a reviewed
   * package waits for a second pair of eyes, with a button to its card (`place`). Once per officer
   * and per preview, however often it is called.
   */
  approvalWaiting(dsrCase: DsrCase, waiting: WaitingApproval, place: CardPlace): Promise<void>;
  /**
   * Where the card that asked for this approval was shown (the preview, the reviewed package), as
   * `approvalWaiting` was told; so the approval can bring that card up to date in its reader's view.
   */
  waitingPlace(caseId: string, waiting: WaitingApproval): Promise<CardPlace | undefined>;
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
