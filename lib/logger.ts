import pino from 'pino';

/**
 * JSON logs. Case-file contents must never reach a log line: request bodies are not logged,
 * and these paths are redacted as a second line of defence should one slip into an object.
 */
export function createLogger(level: string, name = 'hub') {
  return pino({
    name,
    level,
    redact: {
      paths: ['caseFile', '*.caseFile', 'body', '*.body', 'note', '*.note', 'secret', '*.secret', 'authorization', '*.authorization'],
      censor: '[redacted]',
    },
  });
}
export type Logger = ReturnType<typeof createLogger>;
