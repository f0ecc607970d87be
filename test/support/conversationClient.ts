import { TestAdapter, type Activity } from 'botbuilder';
import type { RootDialog } from '../../teams/conversation/rootDialog.js';

/** Typed messages to the conversation router, one turn each on a Teams channel id, as the bot hands them on. */
export class ConversationClient {
  private readonly adapter: TestAdapter;

  constructor(root: RootDialog) {
    this.adapter = new TestAdapter((context) => root.run(context), { channelId: 'msteams' });
  }

  /** The first reply to one message; a turn that says nothing fails the test. */
  async sendActivity(message: string | Partial<Activity>): Promise<Partial<Activity>> {
    await this.adapter.receiveActivity(message);
    const reply = this.adapter.activityBuffer.shift();
    if (!reply) throw new Error('the bot did not answer');
    return reply;
  }
}
