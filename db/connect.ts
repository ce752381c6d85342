import postgres from 'postgres';

export type Sql = postgres.Sql;

export function connect(url: string, opts: { max?: number } = {}): Sql {
  return postgres(url, {
    max: opts.max ?? 10,
    onnotice: () => {},
    // Fail fast so the gateway can answer 503 while Postgres is down rather than hang.
    connect_timeout: 5,
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
 */
export async function transaction<T>(sql: Sql, fn: (tx: Sql) => Promise<T>): Promise<T> {
  return (await sql.begin((tx) => fn(tx as unknown as Sql))) as T;
}
