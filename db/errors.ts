/** Errors that mean "Postgres is not there right now": answered 503, not 500. */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  // too_many_connections: the server's max_connections, or a role's or database's connection
  // limit, is reached, so a pool that grows under load cannot open its next connection.
  '53300',
  '08000',
  '08001',
  '08003',
  '08006',
]);

export function isDatabaseUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && UNAVAILABLE_CODES.has(code);
}

/**
 * What a 503 says of an error `isDatabaseUnavailable` accepted: a server that is up but has no
 * connection to spare is a different thing for an operator to look at than one that is down.
 */
export function databaseUnavailableDetail(error: unknown): string {
  return (error as { code?: unknown })?.code === '53300'
    ? 'the database has no free connection right now; try again shortly'
    : 'the database is not reachable; try again shortly';
}
