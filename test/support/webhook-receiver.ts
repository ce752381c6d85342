import http from 'node:http';
import { verify } from '../../adapters/webhook/sign.js';
import { listenLocally } from '../../dev/local-http-server.js';

/**
 * A real HTTP webhook consumer for tests: a `node:http` server on 127.0.0.1 that records every
 * POST and verifies its Standard Webhooks signature the way a partner would.
 */

export interface ReceivedWebhook {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Parsed body, or `undefined` when it is not JSON. */
  json: unknown;
  signatureValid: boolean;
}

/** A status code to answer with, `'hang'` to never answer, or `'destroy'` to drop the connection. */
export type ReceiverResponse = number | 'hang' | 'destroy';

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Resolves with the first received message matching `predicate` (already received or future). */
  waitFor(predicate: (msg: ReceivedWebhook) => boolean, timeoutMs?: number): Promise<ReceivedWebhook>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(opts: {
  secret: string;
  /** May answer later (a promise), to play a slow partner. */
  respond?: (req: ReceivedWebhook) => ReceiverResponse | Promise<ReceiverResponse>;
}): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const waiters = new Set<() => void>();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      const msg: ReceivedWebhook = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body,
        json,
        signatureValid: verify(opts.secret, req.headers, body),
      };
      received.push(msg);
      for (const w of waiters) w();

      const reply = (answer: ReceiverResponse): void => {
        if (answer === 'hang') return; // close() ends the connection
        if (answer === 'destroy') {
          req.socket.destroy();
          return;
        }
        res.statusCode = answer;
        res.end(answer === 204 ? undefined : `status ${answer}`);
      };
      const answer = opts.respond ? opts.respond(msg) : 204;
      if (answer instanceof Promise) answer.then(reply, () => reply(500));
      else reply(answer);
    });
  });
  const { port, close } = await listenLocally(server);

  return {
    url: `http://127.0.0.1:${port}/hooks/referrals`,
    received,
    waitFor(predicate, timeoutMs = 2_000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const hit = received.find(predicate);
          if (!hit) return false;
          cleanup();
          resolve(hit);
          return true;
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`webhook receiver: no matching message within ${timeoutMs} ms (${received.length} received)`));
        }, timeoutMs);
        const waiter = (): void => void check();
        const cleanup = (): void => {
          clearTimeout(timer);
          waiters.delete(waiter);
        };
        waiters.add(waiter);
        check();
      });
    },
    close,
  };
}
