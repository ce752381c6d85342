import { closeOutboundAgents, describeTransportError, outboundAgent } from '../../lib/net/outbound.js';
import { assertPublicUrl } from '../../lib/net/ssrf.js';
import { failureResult, type DeliveryMessage, type DeliveryResult, type PartnerAdapter } from '../types.js';
import { decodeSecret, sign } from './sign.js';

/**
 * Webhook delivery: a signed JSON POST (Standard Webhooks) to the partner's URL.
 *
 * Status mapping (our choice, since Standard Webhooks simply retries every non-2xx):
 * - 2xx: delivered.
 * - 410 Gone: permanent failure. The spec names 410 as the consumer's way to say "this endpoint
 *   is gone, stop sending"; retrying for a day and a half only delays the human fix.
 * - every other status (3xx, 4xx including 401/403/404/408/429, 5xx), network errors and
 *   timeouts: retry. A 401 after a secret rotation or a 404 during a partner's deploy usually
 *   heals, and the retry schedule is finite, so a retry costs little while a premature permanent
 *   failure loses a referral. Redirects are never followed (a 3xx is a failure): following one
 *   would let a partner point us at an address the SSRF check never saw.
 * - an SSRF refusal or an invalid secret/URL: permanent failure (configuration, not weather).
 *
 * Error strings never contain the request body: it holds case data, and errors go to logs.
 */

export const USER_AGENT = 'referral-hub/0.1';

export interface WebhookAdapterOptions {
  allowPrivate: boolean;
  /** Bound for one attempt: connect, headers, body, and the whole attempt (abort signal). */
  timeoutMs: number;
  now?: () => Date;
}

export interface WebhookPayload {
  type: DeliveryMessage['type'];
  timestamp: string;
  data: { referral: DeliveryMessage['referral'] };
}

/** Kept for callers that close only the webhook side; all outbound agents are shared. */
export const closeWebhookAgents = closeOutboundAgents;

/** Maps a thrown error to a result (lib/net/outbound.ts decides what it means). */
const classifyError = (err: unknown, timeoutMs: number): DeliveryResult => failureResult(describeTransportError(err, timeoutMs));

function statusResult(status: number): DeliveryResult {
  if (status >= 200 && status < 300) return { outcome: 'delivered', detail: `HTTP ${status}` };
  if (status === 410) return { outcome: 'permanent_failure', error: 'HTTP 410 Gone: partner endpoint removed' };
  if (status >= 300 && status < 400) return { outcome: 'retry', error: `HTTP ${status} (redirects are not followed)` };
  return { outcome: 'retry', error: `HTTP ${status}` };
}

export function createWebhookAdapter(cfg: { url: string; secret: string }, opts: WebhookAdapterOptions): PartnerAdapter {
  const now = opts.now ?? (() => new Date());
  // Decode once; a bad secret is a configuration error reported on every delivery rather than a
  // throw here, so a worker building adapters never crashes on one partner's bad settings.
  let key: Buffer | undefined;
  let configError: string | undefined;
  try {
    key = decodeSecret(cfg.secret);
  } catch (err) {
    configError = err instanceof Error ? err.message : 'invalid webhook secret';
  }

  return {
    type: 'webhook',
    async deliver(msg: DeliveryMessage): Promise<DeliveryResult> {
      if (!key) return { outcome: 'permanent_failure', error: configError ?? 'invalid webhook secret' };
      let url: URL;
      try {
        await assertPublicUrl(cfg.url, { allowPrivate: opts.allowPrivate });
        url = new URL(cfg.url);
      } catch (err) {
        return classifyError(err, opts.timeoutMs);
      }

      const at = now();
      const timestamp = Math.floor(at.getTime() / 1000);
      const payload: WebhookPayload = { type: msg.type, timestamp: at.toISOString(), data: { referral: msg.referral } };
      // Serialise once: the signature covers exactly these bytes.
      const body = JSON.stringify(payload);

      try {
        const res = await outboundAgent(opts.allowPrivate, opts.timeoutMs).request({
          origin: url.origin,
          method: 'POST',
          path: `${url.pathname}${url.search}`,
          headers: {
            'content-type': 'application/json',
            'user-agent': USER_AGENT,
            'webhook-id': msg.messageId,
            'webhook-timestamp': String(timestamp),
            'webhook-signature': sign(key, msg.messageId, timestamp, body),
          },
          body,
          headersTimeout: opts.timeoutMs,
          bodyTimeout: opts.timeoutMs,
          // The per-phase timeouts above can add up; this caps the whole attempt.
          signal: AbortSignal.timeout(opts.timeoutMs),
        });
        // Always drain (bounded): an unread body pins the keep-alive socket. The partner's reply
        // content is ignored; a failure while draining does not undo the status we already have.
        await res.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
        return statusResult(res.statusCode);
      } catch (err) {
        return classifyError(err, opts.timeoutMs);
      }
    },
  };
}
