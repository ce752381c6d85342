import type { CodeableConcept, Task } from '@medplum/fhirtypes';
import type { ReferralStatus } from '../../schemas/vocabulary.js';
import type { EngagementReport, PartnerStatusReport } from '../types.js';
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

/**
 * Engagement facts a partner reports on the Task (docs/fhir.md "Engagement"). Gravity's SDOHCC
 * guide leaves `Task.businessStatus` to local codes, so the hub reads its own small vocabulary
 * there, as a code (any system; `urn:referral-hub:engagement` preferred) or as the text:
 * "intake-scheduled", "attended", "no-show" (case, spaces and underscores are ignored; a few
 * common spellings are accepted too). The appointment time of "intake-scheduled" is a
 * `Task.output` typed `urn:referral-hub:engagement|appointment-at` (or text "appointment") with
 * `valueDateTime` (or `valueInstant`, `valuePeriod.start`), else `Task.executionPeriod.start`.
 */
export const ENGAGEMENT_SYSTEM = 'urn:referral-hub:engagement';
export const ENGAGEMENT_CODES: Readonly<Record<string, EngagementReport['type']>> = {
  'intake-scheduled': 'intake_scheduled',
  'appointment-scheduled': 'intake_scheduled',
  scheduled: 'intake_scheduled',
  attended: 'attended',
  'no-show': 'no_show',
  noshow: 'no_show',
  'did-not-attend': 'no_show',
};

const normalized = (w: string) => w.trim().toLowerCase().replace(/[\s_]+/g, '-');

function engagementType(c: CodeableConcept | undefined): EngagementReport['type'] | undefined {
  if (!c) return undefined;
  // Codes of the hub's system first, then any code, then the text.
  const codings = [...(c.coding ?? [])].sort((a, b) => Number(b.system === ENGAGEMENT_SYSTEM) - Number(a.system === ENGAGEMENT_SYSTEM));
  for (const w of [...codings.map((x) => x.code), c.text]) {
    const type = typeof w === 'string' ? ENGAGEMENT_CODES[normalized(w)] : undefined;
    if (type) return type;
  }
  return undefined;
}

/** An ISO instant from a FHIR dateTime that names a time of day (a bare date is no appointment time). */
function instant(value: string | undefined): string | undefined {
  if (!value || !/T\d{2}:\d{2}/.test(value)) return undefined;
  const t = Date.parse(value);
  return Number.isFinite(t) ? new Date(t).toISOString() : undefined;
}

function appointmentOf(task: Task): string | undefined {
  const isAppointment = (c: CodeableConcept | undefined) =>
    (c?.coding ?? []).some((x) => x.system === ENGAGEMENT_SYSTEM && x.code === 'appointment-at') || ['appointment', 'appointment-at'].includes(normalized(c?.text ?? ''));
  for (const output of task.output ?? []) {
    if (!isAppointment(output.type)) continue;
    const at = instant(output.valueDateTime ?? output.valueInstant ?? output.valuePeriod?.start);
    if (at) return at;
  }
  return instant(task.executionPeriod?.start);
}

/** The engagement fact a Task states, if any; `intake_scheduled` only with an appointment time. */
export function engagementFromTask(task: Task): EngagementReport | undefined {
  const type = engagementType(task.businessStatus);
  if (!type) return undefined;
  const appointmentAt = appointmentOf(task);
  if (type === 'intake_scheduled' && !appointmentAt) return undefined;
  return { type, ...(appointmentAt ? { appointmentAt } : {}) };
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
  const engagement = engagementFromTask(task);
  // An engagement businessStatus is a fact of its own, not the reason for the status.
  const reason = conceptText(task.statusReason) ?? (engagementType(task.businessStatus) ? undefined : conceptText(task.businessStatus));
  const source = `Task.status=${task.status}${task.businessStatus ? ` businessStatus=${conceptText(task.businessStatus)}` : ''}`;
  return {
    referralId,
    recordId: task.id,
    version,
    changedAt,
    source,
    status: mapped,
    ...(reason ? { reason } : {}),
    ...(engagement ? { engagement } : {}),
  };
}
