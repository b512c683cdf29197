import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { openHistory } from './open-history.js';
import { POSTGRES_SCHEMA_VERSION } from './postgres-store.js';
import type { HistoryStore } from './store.js';
import { describeStoreContract } from './store-contract.js';

// A real server: .ci/run installs and starts Debian's PostgreSQL and names it here (a role that may create databases).
const ADMIN_URL = process.env.CLOUDPROOF_TEST_POSTGRES;

describe('@e2e PostgreSQL history store (a real server)', function () {
  this.timeout(60_000);
  let database: string | undefined;
  const opened: HistoryStore[] = [];
  const admin = async <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: ADMIN_URL });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  // The admin URL with another database; not through URL(), which takes no empty host (a unix socket's `postgresql://user@/db?host=/run/...`).
  const urlOf = (name: string): string => (ADMIN_URL ?? '').replace(/\/[^/?]*(\?|$)/, `/${name}$1`);
  const open = async (): Promise<HistoryStore> => {
    const store = await openHistory(urlOf(database ?? ''));
    opened.push(store);
    return store;
  };

  before(function () {
    if (ADMIN_URL === undefined) {
      console.warn('    skipped: no PostgreSQL (set CLOUDPROOF_TEST_POSTGRES=postgresql://user@/postgres?host=/var/run/postgresql, as .ci/run does)');
      this.skip();
    }
  });
  beforeEach(async () => {
    database = `cloudproof_test_${randomUUID().replace(/-/g, '')}`;
    await admin((client) => client.query(`CREATE DATABASE ${database}`));
  });
  afterEach(async () => {
    // A store the test closed itself is closed already; pg says so, and that is all.
    await Promise.all(opened.splice(0).map((store) => store.close().catch(() => undefined)));
    if (database !== undefined) await admin((client) => client.query(`DROP DATABASE IF EXISTS ${database}`));
  });

  describeStoreContract(open);

  it('migrates once when several workers open a new database at the same time', async () => {
    const stores = await Promise.all([open(), open(), open()]);
    assert.equal(stores.length, 3);
    const versions = await admin(async () => {
      const client = new pg.Client({ connectionString: urlOf(database ?? '') });
      await client.connect();
      try {
        return (await client.query<{ version: number }>('SELECT version FROM cloudproof_schema')).rows.map((row) => row.version);
      } finally {
        await client.end();
      }
    });
    assert.deepEqual(versions, [POSTGRES_SCHEMA_VERSION]);
  });

  it('refuses a database of a newer schema, and a server it cannot reach, as typed errors without the password', async () => {
    await (await open()).close();
    const client = new pg.Client({ connectionString: urlOf(database ?? '') });
    await client.connect();
    await client.query('UPDATE cloudproof_schema SET version = version + 1');
    await client.end();
    await assert.rejects(openHistory(urlOf(database ?? '')), (error: Error & { code?: string }) => error.code === 'HISTORY_STORE' && /newer than this harness/.test(error.message));
    await assert.rejects(openHistory('postgresql://someone:secret@127.0.0.1:1/none'), (error: Error & { code?: string }) => error.code === 'HISTORY_STORE' && !error.message.includes('secret') && /someone:\*\*\*@/.test(error.message));
  });
});
