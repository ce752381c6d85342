import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';

/**
 * A partner's webhook endpoint for the end-to-end scenario: verifies each Standard Webhooks
 * signature (HMAC-SHA256 over "{webhook-id}.{webhook-timestamp}.{body}", key = base64 after
 * `whsec_`) on its own, the way a partner's library would, and notes when each referral arrived.
 */
export interface WebhookSink {
  /** referral id → first verified arrival (performance.now() of this process). */
  arrivals: Map<string, number>;
  invalid: number;
  duplicates: number;
  close(): Promise<void>;
}

export function verifySignature(secret: string, headers: http.IncomingHttpHeaders, body: string): boolean {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signatures !== 'string') return false;
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  return signatures.split(' ').some((candidate) => {
    const [version, value] = candidate.split(',');
    const given = Buffer.from(value ?? '', 'base64');
    return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
  });
}

export async function startWebhookSink(port: number, secret: string, arrivals: Map<string, number>): Promise<WebhookSink> {
  const sink: WebhookSink = { arrivals, invalid: 0, duplicates: 0, close: async () => {} };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const at = performance.now();
      const body = Buffer.concat(chunks).toString('utf8');
      if (!verifySignature(secret, req.headers, body)) {
        sink.invalid += 1;
        res.statusCode = 401;
        res.end();
        return;
      }
      const message = JSON.parse(body) as { type?: string; data?: { referral?: { id?: string } } };
      const id = message.data?.referral?.id;
      if (message.type === 'referral.created' && id) {
        if (arrivals.has(id)) sink.duplicates += 1;
        else arrivals.set(id, at);
      }
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  sink.close = () => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return sink;
}
