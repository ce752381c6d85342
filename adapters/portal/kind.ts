import { z } from '@hono/zod-openapi';
import { defineAdapterKind } from '../kind.js';
import { createPortalAdapter } from './index.js';

/** Organisations that read the API themselves: nothing is pushed, nothing is secret. */

const Input = z
  .strictObject({ type: z.literal('portal').openapi({ description: 'Nothing is pushed: the organisation reads its referrals through this API.' }) })
  .openapi({ description: 'An organisation that reads the API itself (a partner’s inbox, or a referring agency).' });

const View = z.object({ type: z.literal('portal').openapi({ description: 'Nothing pushed.' }) });

export const portalKind = defineAdapterKind({
  type: 'portal',
  input: Input,
  view: View,
  capabilities: { pushes: false, polls: false, takesNotices: false, receivesReferrerNotices: false },
  targets: () => [],
  prepare: () => ({ stored: { type: 'portal' as const } }),
  show: () => ({ type: 'portal' as const }),
  build: () => createPortalAdapter(),
});
