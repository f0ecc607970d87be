import { caseUpdate } from './caseUpdate.js';
import { connectorExport } from './connectorExport.js';
import { dashboard } from './dashboard.js';
import { discovery } from './discovery.js';
import { erasure } from './erasure.js';
import { exportPackage } from './exportPackage.js';
import { extractionQuality } from './extraction.js';
import { purgeBench } from './purge.js';
import { outboxDelivery } from './outbox.js';
import { reminderPass } from './reminderPass.js';
import { startup } from './startup.js';
import { turnLatency } from './turnLatency.js';

// `npm run bench` runs every figure; `npm run bench -- NAME` runs one: turns, updates, discovery, export,
// connector-export, reminders, outbox, purge, erase, startup, dashboard, extraction, scale-out or pg-updates.
const only = process.argv[2];
const quick = process.env.BENCH_QUICK === '1';

if (!only || only === 'extraction') extractionQuality();
if (!only || only === 'turns') await turnLatency(quick ? 50 : 300);
if (!only || only === 'updates') await caseUpdate(200, quick ? 2000 : 20000, quick ? 50 : 300);
if (!only || only === 'discovery') await discovery(quick ? 3 : 7, 10_000);
if (!only || only === 'export') await exportPackage(10_000, quick ? 100_000 : 1_000_000);
if (!only || only === 'connector-export') await connectorExport(10_000, quick ? 100_000 : 1_000_000);
if (!only || only === 'outbox') await outboxDelivery(50, 10);
if (!only || only === 'reminders') await reminderPass(1_000, quick ? 20_000 : 100_000, 100, quick ? 5 : 15);

// The PostgreSQL figures need a database to spend; never the deployment's own (DSR_DATABASE_URL).
const databaseUrl = process.env.DSR_BENCH_DATABASE_URL ?? process.env.DSR_TEST_DATABASE_URL;
// The embedded store always; PostgreSQL as well when a database is given.
if (!only || only === 'purge') await purgeBench(quick ? 10_000 : 100_000, quick ? 1_000 : 10_000, databaseUrl);
if (!only || only === 'erase')
  await erasure(10_000, quick ? 100_000 : 1_000_000, databaseUrl, quick ? 20_000 : 100_000);
// BENCH_STORES=postgres (or embedded) takes the figure on one store only.
const stores = process.env.BENCH_STORES ? new Set(process.env.BENCH_STORES.split(',')) : undefined;
if (!only || only === 'startup') await startup(1_000, quick ? 20_000 : 100_000, databaseUrl, stores);
if (!only || only === 'dashboard') await dashboard(1_000, quick ? 20_000 : 100_000, quick ? 100 : 300, databaseUrl);
if (databaseUrl) {
  const { postgresCaseUpdate, scaleOutThroughput } = await import('./postgres.js');
  if (!only || only === 'scale-out') await scaleOutThroughput(databaseUrl, quick ? 200 : 2000, 16);
  if (!only || only === 'pg-updates')
    await postgresCaseUpdate(databaseUrl, 200, quick ? 20000 : 200000, quick ? 50 : 300);
} else if (only === 'scale-out' || only === 'pg-updates') {
  console.log('Set DSR_BENCH_DATABASE_URL (or DSR_TEST_DATABASE_URL) to a PostgreSQL database to run this figure.');
}
