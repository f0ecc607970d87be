import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActivityHandler } from 'botbuilder';
import { createChannelAdapter } from '../teams/authentication.js';
import { pino } from 'pino';
import { startApp } from '../app/app.js';
import { loadLocalConfig } from '../local/demo.js';
import { startHttpServer } from '../app/server.js';
import type { DsrBot } from '../teams/dsrBot.js';
import { FakeConnector } from '../test/support/fakeConnector.js';
import { intakeSubmission } from '../test/support/intakeSubmission.js';
import { median, percentile, report, round, timed } from './measure.js';

const user = { id: '29:alex', name: 'Alex Wilber', aadObjectId: 'a1e7c0de-0000-4000-8000-000000000001' };
// Intake submissions during the run come from colleagues, so the status turn always lists the
// same handful of cases while the store around it keeps growing.
const colleague = { id: '29:lynne', name: 'Lynne Robbins', aadObjectId: 'a1e7c0de-0000-4000-8000-000000000008' };

function activity(serviceUrl: string, extra: Record<string, unknown>, from = user): Record<string, unknown> {
  return {
    id: randomUUID(),
    channelId: 'msteams',
    serviceUrl,
    from,
    recipient: { id: '28:bot', name: 'DSR Assistant' },
    conversation: { id: 'personal-bench', conversationType: 'personal', tenantId: 't' },
    ...extra,
  };
}

async function post(port: number, body: Record<string, unknown>): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${port}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await response.text();
  if (response.status >= 300) throw new Error(`answered ${response.status}`);
}

/**
 * Latency of a status turn and of an intake submission, each against a bare echo bot on the
 * same CloudAdapter and restify server, measured alternately in one run so noise hits both.
 */
export async function turnLatency(iterations: number): Promise<void> {
  const connector = new FakeConnector();
  await connector.start();
  const log = pino({ level: 'silent' });
  const dataDir = await mkdtemp(join(tmpdir(), 'dsr-bench-'));
  const app = await startApp(loadLocalConfig({ PORT: '0', DSR_DATA_DIR: dataDir, LOG_LEVEL: 'silent' }), log);

  const echo = new ActivityHandler();
  echo.onMessage(async (context, next) => {
    await context.sendActivity(`You said ${context.activity.text ?? ''}`);
    await next();
  });
  // The same adapter set-up as the bot's, so the ratio measures the bot's own work.
  const echoAdapter = createChannelAdapter({});
  const echoServer = await startHttpServer(0, echoAdapter, echo as unknown as DsrBot, () => Promise.resolve({}), log);

  const message = (text: string) => activity(connector.url, { type: 'message', text });
  const submit = (from = colleague) =>
    activity(connector.url, intakeSubmission({ requestTypes: 'access,delete' }), from);

  // A handful of cases so the status turn renders a real list.
  for (let i = 0; i < 5; i += 1) await post(app.port, submit(user));
  for (let i = 0; i < 30; i += 1) {
    await post(echoServer.port, message('warm up'));
    await post(app.port, message('status'));
  }

  const samples = { echo: [] as number[], status: [] as number[], intake: [] as number[] };
  for (let i = 0; i < iterations; i += 1) {
    samples.echo.push(await timed(() => post(echoServer.port, message('hello'))));
    samples.status.push(await timed(() => post(app.port, message('status'))));
    samples.intake.push(await timed(() => post(app.port, submit())));
  }

  const echoMedian = median(samples.echo);
  const echoP95 = percentile(samples.echo, 95);
  for (const name of ['status', 'intake'] as const) {
    report({
      figure: `${name}-turn-latency`,
      iterations,
      medianMs: round(median(samples[name])),
      p95Ms: round(percentile(samples[name], 95)),
      echoMedianMs: round(echoMedian),
      echoP95Ms: round(echoP95),
      medianRatio: round(median(samples[name]) / echoMedian, 2),
      p95Ratio: round(percentile(samples[name], 95) / echoP95, 2),
      ...(name === 'status' ? { target: 'medianRatio <= 1.25' } : {}),
    });
  }

  await echoServer.close();
  await app.stop();
  await connector.stop();
  await rm(dataDir, { recursive: true, force: true });
}
