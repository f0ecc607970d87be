import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The PostgreSQL database tests may use; unset on a machine without one. */
export function testDatabaseUrl(): string | undefined {
  const url = process.env.DSR_TEST_DATABASE_URL?.trim();
  return url ? url : undefined;
}

let warned = false;

/** Marks a suite as skipped, saying why once, when no test database is configured. */
export function skipWithoutDatabase(suite: Mocha.Suite): void {
  suite.beforeAll(function () {
    if (testDatabaseUrl()) return;
    if (!warned) {
      console.log('    (PostgreSQL tests skipped: set DSR_TEST_DATABASE_URL=postgres://user@host:5432/db to run them)');
      warned = true;
    }
    this.skip();
  });
}

/** A schema name no other test run uses, so parallel runs on one database never meet. */
export function freshSchema(): string {
  return `t_${randomBytes(6).toString('hex')}`;
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
  } finally {
    await client.end();
  }
}
