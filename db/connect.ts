import postgres from 'postgres';
import { isDatabaseUnavailable } from './errors.js';

export type Sql = postgres.Sql;

export function connect(url: string, opts: { max?: number } = {}): Sql {
  return postgres(url, {
    max: opts.max ?? 10,
    onnotice: () => {},
    // Fail fast so the gateway can answer 503 while Postgres is down rather than hang.
    connect_timeout: 5,
    // Seconds before a closed connection is opened again. The driver's default grows to 10-20 s
    // after a few failed attempts (its count is shared by the whole pool), and a query waits for
    // that: while Postgres restarts, requests hung for up to 20 s instead of failing fast with a
    // 503, and recovery lagged as long after it was back. Capped at 1 s, with jitter.
    backoff: (retries: number) => (0.5 + Math.random() / 2) * Math.min(0.05 * 2 ** retries, 1),
    idle_timeout: 30,
    transform: { undefined: null },
  });
}

/**
 * Outside production a database named in DATABASE_URL that does not exist yet is created, so
 * `npm start` works on a fresh machine with no configuration.
 */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, '')) || 'postgres';
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const sql = postgres(admin.toString(), { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    const rows = await sql`SELECT 1 FROM pg_database WHERE datname = ${name}`;
    if (rows.length === 0) {
      try {
        await sql.unsafe(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
      } catch (error) {
        // Another process starting at the same moment may have created it first.
        if ((error as { code?: string }).code !== '42P04') throw error;
      }
    }
  } finally {
    await sql.end();
  }
}

/**
 * Runs `fn` in one transaction. The transaction handle is typed as `Sql` so that repository
 * functions take one type whether or not they run inside a transaction.
 *
 * When a transaction's connection dies (PostgreSQL restarting, say), postgres.js 3.4.9 goes on
 * writing to it: the next query `fn` sends, or the ROLLBACK or COMMIT it sends itself after `fn`,
 * goes to a socket that is already null, from a setImmediate, and the TypeError kills the process
 * (porsager/postgres#1208; the fault suite's PostgreSQL restart reproduces it). So once begin()
 * has rejected (it does on the connection's close, by itself), `fn` may send no further query, and
 * the driver's own ROLLBACK or COMMIT is never reached: the server has rolled the transaction back
 * anyway, and the caller gets the close as a CONNECTION_CLOSED error (a 503 at the gateway).
 * A failing `fn` on a live connection is rolled back as usual.
 */
export async function transaction<T>(sql: Sql, fn: (tx: Sql) => Promise<T>): Promise<T> {
  let gone = false;
  const begun: Promise<unknown> = sql.begin(async (tx) => {
    let result: T;
    try {
      result = await fn(refusingWhenGone(tx as unknown as Sql, () => gone));
    } catch (error) {
      if (gone || (isDatabaseUnavailable(error) && (await rejectsWithin(begun, 1_000)))) await abandoned();
      throw error;
    }
    if (gone) await abandoned();
    return result;
  });
  begun.catch(() => {
    gone = true;
  });
  return (await begun) as T;
}

/**
 * Never settles: a transaction scope parked on it sends nothing more to its dead connection. A new
 * promise each time, referenced by nothing else, so the parked scope can be garbage-collected.
 */
const abandoned = () => new Promise<never>(() => {});

function rejectsWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    promise.then(
      () => resolve(false),
      () => {
        clearTimeout(timer);
        resolve(true);
      },
    );
  });
}

/** The transaction handle, refusing new queries once its connection is gone. */
function refusingWhenGone(tx: Sql, gone: () => boolean): Sql {
  const check = () => {
    if (gone()) throw Object.assign(new Error('the transaction\'s connection closed'), { code: 'CONNECTION_CLOSED' });
  };
  return new Proxy(tx, {
    apply(target, thisArg, args) {
      check();
      return Reflect.apply(target as unknown as (...a: unknown[]) => unknown, thisArg, args);
    },
    get(target, property) {
      const value = Reflect.get(target, property) as unknown;
      if (property !== 'unsafe' || typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        check();
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}
