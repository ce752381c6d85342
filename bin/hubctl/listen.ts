import http from 'node:http';
import { decodeSecret, verify } from '../../adapters/index.js';
import { CliError } from './errors.js';

/**
 * `hubctl listen`: a partner's webhook endpoint for trying the hub out. Verifies each message's
 * Standard Webhooks signature, answers 204 (or 401 to a message it cannot trust, as the spec
 * asks of receivers), and prints each message as one JSON line on stdout.
 */
export async function listen(opts: { port: number; host: string; secret: string }): Promise<http.Server> {
  try {
    decodeSecret(opts.secret);
  } catch (error) {
    throw new CliError(`--secret: ${(error as Error).message}`);
  }
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const valid = verify(opts.secret, req.headers as Record<string, string>, body);
      res.writeHead(valid ? 204 : 401).end();
      let message: unknown = body;
      try {
        message = JSON.parse(body);
      } catch {
        // keep the raw text
      }
      process.stdout.write(`${JSON.stringify({ webhookId: req.headers['webhook-id'], signatureValid: valid, message })}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const reason = error.code === 'EADDRINUSE' ? 'the port is in use' : error.code === 'EACCES' ? 'permission denied' : error.message;
      reject(new CliError(`cannot listen on ${opts.host}:${opts.port}: ${reason}`));
    });
    server.listen(opts.port, opts.host, () => resolve());
  });
  // The walkthrough waits for this line before it lets the hub send anything.
  process.stderr.write(`listening on http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${opts.port}\n`);
  return server;
}
