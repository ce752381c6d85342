import { z } from '@hono/zod-openapi';
import { defineAdapterKind } from '../kind.js';
import { createWebhookAdapter } from './index.js';
import { generateSecret } from './sign.js';

/** Signed Standard Webhooks POSTs to the partner's URL. */

const Input = z.strictObject({
  type: z.literal('webhook').openapi({ description: 'Signed HTTP POSTs (Standard Webhooks) to `url`.' }),
  url: z.url({ protocol: /^https?$/ }).max(2000).openapi({ description: 'Where the hub POSTs each message. http(s); private and loopback addresses are refused unless the operator allows them.', example: 'https://hooks.eastside-housing.example/referrals' }),
  secret: z.string().regex(/^whsec_[A-Za-z0-9+/=]{16,}$/, 'a Standard Webhooks secret: whsec_ + base64').optional().openapi({
    description: 'The signing secret (`whsec_` + base64). Omit it and the hub generates one and shows it once, as `webhookSecret`.',
  }),
}).openapi({ description: 'A partner that takes signed webhooks.' });

const View = z.object({
  type: z.literal('webhook').openapi({ description: 'Signed webhooks.' }),
  url: z.string().openapi({ description: 'Where the hub POSTs each message.' }),
});

export interface StoredWebhookAdapter {
  type: 'webhook';
  url: string;
}

/** Encrypted at rest; the field name is what rows written by earlier versions hold. */
export interface WebhookSecrets {
  webhookSecret: string;
}

export const webhookKind = defineAdapterKind<'webhook', typeof Input, typeof View, StoredWebhookAdapter, WebhookSecrets>({
  type: 'webhook',
  input: Input,
  view: View,
  capabilities: { pushes: true, polls: false, takesNotices: false, receivesReferrerNotices: true },
  targets: (input) => [['url', input.url]],
  prepare(input) {
    const generated = input.secret ? undefined : generateSecret();
    const stored: StoredWebhookAdapter = { type: 'webhook', url: input.url };
    return { stored, secrets: { webhookSecret: input.secret ?? generated! }, ...(generated ? { shownOnce: { webhookSecret: generated } } : {}) };
  },
  show: (stored) => ({ type: 'webhook', url: stored.url }),
  // A missing secret is reported by the adapter on every delivery (permanent failure), not thrown here.
  build: (stored, secrets, opts) => createWebhookAdapter({ url: stored.url, secret: secrets.webhookSecret ?? '' }, opts),
});
