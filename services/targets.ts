import { transaction } from '../db/connect.js';
import type { Caller } from '../domain/caller.js';
import { conflict } from '../lib/errors.js';
import { newId } from '../lib/ids.js';
import type { TargetInput } from '../schemas/indicators.js';
import type { Service } from '../schemas/vocabulary.js';
import { appendAudit } from '../store/audit.js';
import { insertTarget, listTargets } from '../store/targets.js';
import type { Hub } from './hub.js';

/** POST /v1/targets: the target and its audit entry commit together. One target per service and exact period. */
export async function setTarget(hub: Pick<Hub, 'sql'>, caller: Caller, input: TargetInput) {
  return transaction(hub.sql, async (tx) => {
    const target = await insertTarget(tx, { id: newId('tgt'), ...input, createdBy: caller.clientId });
    if (!target) throw conflict(`${input.service} already has a target for ${input.period.start} to ${input.period.end}`);
    await appendAudit(tx, {
      actor: caller.clientId, action: 'target.created', subject: target.id,
      detail: { service: target.service, period: target.period, baseline: target.baseline, target: target.target },
    });
    return target;
  });
}

/** GET /v1/targets: newest first. */
export async function targets(hub: Pick<Hub, 'sql'>, opts: { limit: number; cursor?: string | undefined; service?: Service | undefined }) {
  return listTargets(hub.sql, opts);
}
