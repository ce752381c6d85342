import type { CodeableConcept, Task } from '@medplum/fhirtypes';
import type { ReferralStatus } from '../../schemas/vocabulary.js';
import type { PartnerStatusReport } from '../types.js';
import { REFERRAL_SYSTEM } from './codes.js';

/**
 * `Task.status` (and `businessStatus`) → the hub status that Task version stands for. Pure data
 * and one function; docs/fhir.md shows the same table.
 *
 * FHIR R4 has `received` among Task statuses, but Gravity's SDOH guide keeps `status: requested`
 * and says "received" in `businessStatus`; both are read. `ready` ("ready to be performed") is
 * the performer having agreed to do it, i.e. accepted. A Task the partner sets to `cancelled`
 * means it will not do the work: before acceptance that is a rejection, after it a failure (the
 * hub's `cancelled` is the planner's word). `draft`, `requested` and `entered-in-error` stand for
 * no status change.
 */
export const TASK_STATUS_MAP: Readonly<Record<NonNullable<Task['status']>, ReferralStatus | 'withdrawn' | undefined>> = {
  draft: undefined,
  requested: undefined,
  received: 'received',
  accepted: 'accepted',
  ready: 'accepted',
  rejected: 'rejected',
  'in-progress': 'in_progress',
  'on-hold': 'on_hold',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'withdrawn',
  'entered-in-error': undefined,
};

function conceptText(c: CodeableConcept | undefined): string | undefined {
  if (!c) return undefined;
  return c.text ?? c.coding?.find((x) => x.display)?.display ?? c.coding?.find((x) => x.code)?.code;
}

function saysReceived(c: CodeableConcept | undefined): boolean {
  if (!c) return false;
  const words = [c.text, ...(c.coding ?? []).flatMap((x) => [x.code, x.display])];
  return words.some((w) => typeof w === 'string' && w.trim().toLowerCase() === 'received');
}

/** The hub's referral id on a Task, if the hub wrote it. */
export function referralIdOf(task: Task): string | undefined {
  return task.identifier?.find((i) => i.system === REFERRAL_SYSTEM && i.value)?.value;
}

/** Maps one Task version to a report, or `undefined` when it is not one of the hub's Tasks or has no version. */
export function reportFromTask(task: Task): PartnerStatusReport | undefined {
  const referralId = referralIdOf(task);
  const version = task.meta?.versionId;
  const changedAt = task.meta?.lastUpdated;
  if (!referralId || !task.id || !version || !changedAt || !task.status) return undefined;
  let mapped = TASK_STATUS_MAP[task.status];
  if (mapped === undefined && task.status === 'requested' && saysReceived(task.businessStatus)) mapped = 'received';
  const reason = conceptText(task.statusReason) ?? conceptText(task.businessStatus);
  const source = `Task.status=${task.status}${task.businessStatus ? ` businessStatus=${conceptText(task.businessStatus)}` : ''}`;
  return {
    referralId,
    recordId: task.id,
    version,
    changedAt,
    source,
    status: mapped,
    ...(reason ? { reason } : {}),
  };
}
