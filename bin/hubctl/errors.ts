/**
 * The one error hubctl shows to people: a single line on stderr and a non-zero exit, never a
 * stack trace. Anything else that escapes is a bug in hubctl, and is still shown as one line.
 */
export class CliError extends Error {
  override readonly name = 'CliError';
}

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_SOCKET: 'the connection closed unexpectedly',
};

/**
 * Why a `fetch` could not get an answer, in words. Node's fetch throws a bare
 * `TypeError: fetch failed` and hides the reason in `cause` (an AggregateError when it tried
 * both IPv6 and IPv4 for `localhost`).
 */
export function networkReason(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'no answer in time';
  const cause = (error as { cause?: { code?: string; errors?: { code?: string }[]; message?: string } }).cause;
  const code = cause?.code ?? cause?.errors?.find((e) => e.code)?.code;
  if (code && NETWORK_REASONS[code]) return NETWORK_REASONS[code];
  return cause?.message || (error as Error).message || String(error);
}

const FILE_REASONS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a parent is not a directory',
  EROFS: 'read-only file system',
};

/** A file-system error as "<what> <file>: <reason>". */
export function fileError(what: string, file: string, error: unknown): CliError {
  const code = (error as NodeJS.ErrnoException).code;
  return new CliError(`${what} ${file}: ${(code && FILE_REASONS[code]) ?? (error as Error).message}`);
}
