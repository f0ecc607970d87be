import { sandboxConnectorSettings } from '../../local/sandboxSystems.js';
import { ConnectorRegistry } from '../../connectors/registry.js';
import type { RetryPolicy } from '../../connectors/http.js';
import type { Sandbox } from '../../sandbox/index.js';
import type { AppOverrides } from '../../app/app.js';
import { BotHarness } from './botHarness.js';
import { adele, megan } from './people.js';

/**
 * A bot whose connectors reach the sandbox over HTTPS, as the local run wires them, with both
 * privacy officers' 1:1 chats known. Retries are kept short so a failing system fails fast.
 */
export async function startSandboxBot(
  sandbox: Sandbox,
  retry: RetryPolicy,
  overrides: Omit<AppOverrides, 'connectors'> & { mailbox?: string } = {},
): Promise<BotHarness> {
  const settings = sandboxConnectorSettings(sandbox);
  const connectors = ConnectorRegistry.fromConfig(settings.config, {
    source: 'test',
    credentials: settings.credentials,
    caPem: settings.caPem,
    retry,
  });
  const { mailbox, ...rest } = overrides;
  const letterMailer = mailbox ? connectors.letterMailer(mailbox) : undefined;
  const bot = await new BotHarness(
    {},
    { connectors: connectors.all(), ...rest, ...(letterMailer ? { letterMailer } : {}) },
  ).start();
  await bot.say(megan, 'help');
  await bot.say(adele, 'help');
  return bot;
}
