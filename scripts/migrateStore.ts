import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadDotEnv } from '../app/config.js';
import { copyStore, MigrationError } from '../storage/migrate.js';
import { LowdbCaseStore } from '../storage/lowdbStore.js';
import { PostgresCaseStore } from '../storage/postgresStore.js';
import { join } from 'node:path';
import { FileOutboxStore } from '../storage/fileOutboxStore.js';
import { PostgresOutboxStore } from '../storage/postgresShared.js';
import { FileChangeLedger } from '../storage/fileChangeLedger.js';
import { PostgresChangeLedger } from '../storage/postgresChangeLedger.js';
import type { Deployment } from '../storage/migrate.js';

const USAGE = `Moves a DSR Assistant deployment between the embedded store and PostgreSQL: cases, audit trail,
conversation state and references, the outbox with its reminder keys, and the per-record ledger
of the steps that change data.

  npm run migrate-store -- --to postgres   [--data-dir data] [--database-url URL] [--schema dsr]
  npm run migrate-store -- --to lowdb      [--data-dir data] [--database-url URL] [--schema dsr]

The target must be empty. Stop every bot instance first. Defaults come from DSR_DATA_DIR,
DSR_DATABASE_URL and DSR_DATABASE_SCHEMA.`;

const argsSchema = z.object({
  to: z.enum(['postgres', 'lowdb'], { error: '--to must be "postgres" or "lowdb"' }),
  dataDir: z.string().min(1),
  databaseUrl: z.url({
    protocol: /^postgres(ql)?$/,
    error: 'a PostgreSQL URL is needed (--database-url or DSR_DATABASE_URL)',
  }),
  schema: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'a schema name in lower case letters, digits and _'),
});

async function main(): Promise<number> {
  await loadDotEnv();
  const { values } = parseArgs({
    options: {
      to: { type: 'string' },
      'data-dir': { type: 'string' },
      'database-url': { type: 'string' },
      schema: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const parsed = argsSchema.safeParse({
    to: values.to,
    dataDir: values['data-dir'] ?? process.env.DSR_DATA_DIR ?? 'data',
    databaseUrl: values['database-url'] ?? process.env.DSR_DATABASE_URL,
    schema: values.schema ?? process.env.DSR_DATABASE_SCHEMA ?? 'dsr',
  });
  if (!parsed.success) {
    console.error(parsed.error.issues.map((issue) => issue.message).join('\n'));
    console.error(`\n${USAGE}`);
    return 2;
  }
  const args = parsed.data;
  const lowdb = new LowdbCaseStore(args.dataDir);
  const postgres = new PostgresCaseStore({ connectionString: args.databaseUrl, schema: args.schema });
  const embedded: Deployment = {
    store: lowdb,
    outbox: new FileOutboxStore(join(args.dataDir, 'outbox')),
    ledger: new FileChangeLedger(join(args.dataDir, 'ledger')),
  };
  const shared: Deployment = {
    store: postgres,
    outbox: new PostgresOutboxStore(postgres),
    ledger: new PostgresChangeLedger(postgres),
  };
  const [source, target] = args.to === 'postgres' ? [embedded, shared] : [shared, embedded];
  await lowdb.open();
  try {
    await postgres.open();
    await embedded.outbox.open();
    await embedded.ledger.open();
    const report = await copyStore(source, target);
    console.log(JSON.stringify({ copiedTo: args.to, ...report }, null, 2));
    return 0;
  } catch (error) {
    if (error instanceof MigrationError) {
      console.error(`Not copied: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    await lowdb.close();
    await postgres.close();
  }
}

process.exitCode = await main();
