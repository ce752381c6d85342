import { describe, expect, it } from 'vitest';
import type { DocumentReference, Patient, ServiceRequest, Task } from '@medplum/fhirtypes';
import type { Disclosed } from '../../consent/disclosed.js';
import { describeFailure, isUnderBase, redactorFor } from '../../adapters/fhir/client.js';
import { referralTransaction } from '../../adapters/fhir/resources.js';
import { ENGAGEMENT_SYSTEM, engagementFromTask, reportFromTask, TASK_STATUS_MAP } from '../../adapters/fhir/status.js';
import type { PartnerReferralView } from '../../adapters/types.js';
import { eventsToReach } from '../../domain/status-path.js';
import { DATA_CATEGORIES } from '../../schemas/vocabulary.js';
import { fullCaseFile, marker } from '../support/fixtures.js';

const context = { subjectRef: 'par_subject', referrer: { id: 'org_ref', name: 'County Probation' }, partner: { id: 'org_partner', name: 'Riverside' } };

/** A view as the projection would make it, with only `categories` (and their notes) of the full case file. */
function viewWith(categories: readonly string[], notices: { code: string; text: string }[] = []): Disclosed<PartnerReferralView> {
  const full = fullCaseFile() as Record<string, unknown> & { notes: { category: string; text: string }[] };
  const caseFile: Record<string, unknown> = {};
  for (const c of categories) caseFile[c] = full[c];
  caseFile.notes = full.notes.filter((n) => categories.includes(n.category));
  return {
    id: 'ref_1', status: 'delivered', service: 'substance_use', purpose: 'treatment', priority: 'urgent', reason: 'Assessment', createdAt: '2026-01-01T00:00:00Z',
    caseFile, withheld: { count: 0, notice: '' }, notices,
  } as unknown as Disclosed<PartnerReferralView>;
}

const decoded = (bundle: unknown) =>
  JSON.stringify(bundle, (key, value) => (key === 'data' && typeof value === 'string' ? Buffer.from(value, 'base64').toString('utf8') : value));

describe('FHIR mapping of a disclosed referral', () => {
  it('puts the markers of the disclosed categories, and only those, into the resources', () => {
    for (const category of DATA_CATEGORIES) {
      const text = decoded(referralTransaction(viewWith(['identity', category]), context));
      for (const other of DATA_CATEGORIES) {
        if (other === category || other === 'identity') expect(text).toContain(marker(other));
        else expect(text, `${other} leaked while only ${category} was disclosed`).not.toContain(marker(other));
      }
    }
  });

  it('puts the referral’s reason into ServiceRequest.reasonCode only when the view carries it', () => {
    const serviceRequest = (view: Disclosed<PartnerReferralView>) => referralTransaction(view, context).entry![1]!.resource as ServiceRequest;
    expect(serviceRequest(viewWith(['identity'])).reasonCode).toEqual([{ text: 'Assessment' }]);
    const { reason: _reason, ...withoutReason } = viewWith(['identity']);
    expect(serviceRequest(withoutReason as Disclosed<PartnerReferralView>)).not.toHaveProperty('reasonCode');
  });

  it('makes a transaction of three conditional creates keyed on the hub’s identifiers', () => {
    const bundle = referralTransaction(viewWith(['identity']), context);
    expect(bundle.type).toBe('transaction');
    expect(bundle.entry!.map((e) => [e.request!.method, e.request!.url, e.request!.ifNoneExist])).toEqual([
      ['POST', 'Patient', 'identifier=urn%3Areferral-hub%3Aparticipant|par_subject'],
      ['POST', 'ServiceRequest', 'identifier=urn%3Areferral-hub%3Areferral|ref_1'],
      ['POST', 'Task', 'identifier=urn%3Areferral-hub%3Areferral|ref_1'],
    ]);
    const [patient, serviceRequest, task] = bundle.entry!.map((e) => e.resource) as [Patient, ServiceRequest, Task];
    expect(task.focus!.reference).toBe(bundle.entry![1]!.fullUrl);
    expect(task.for!.reference).toBe(bundle.entry![0]!.fullUrl);
    expect(serviceRequest.subject!.reference).toBe(bundle.entry![0]!.fullUrl);
    expect(patient.identifier![0]).toEqual({ system: 'urn:referral-hub:participant', value: 'par_subject' });
    expect(serviceRequest.priority).toBe('urgent');
    expect(serviceRequest.category![0]!.coding).toEqual([{ system: 'urn:referral-hub:service', code: 'substance_use', display: 'Substance use treatment' }]);
  });

  it('labels only Part 2 content, and carries every notice', () => {
    const notice = { code: '42CFR2.32', text: 'This record which has been disclosed to you is protected...' };
    const bundle = referralTransaction(viewWith(['identity', 'housing', 'substance_use'], [notice]), context);
    const serviceRequest = bundle.entry![1]!.resource as ServiceRequest;
    const docs = serviceRequest.contained as DocumentReference[];
    const labels = (d: { meta?: { security?: { code?: string }[] } }) => (d.meta?.security ?? []).map((s) => s.code);
    expect(labels(serviceRequest)).toEqual(['ETH', 'R', 'NORDSCLCD']);
    expect(docs.map((d) => [d.id, labels(d)])).toEqual([['case-file-identity', []], ['case-file-substance-use', ['ETH', 'R', 'NORDSCLCD']], ['case-file-housing', []]]);
    expect(serviceRequest.note).toEqual([{ authorString: 'Referral hub', text: `42CFR2.32: ${notice.text}` }]);
    expect(serviceRequest.supportingInfo!.map((s) => s.reference)).toEqual(['#case-file-identity', '#case-file-substance-use', '#case-file-housing']);
    expect(labels(bundle.entry![0]!.resource as Patient)).toEqual([]);
  });

  it('fills the Patient from identity and contact, and gender only from disclosed demographics', () => {
    const view = viewWith(['identity', 'contact', 'demographics']);
    (view.caseFile as Record<string, unknown>).demographics = { gender: 'nonbinary' };
    const patient = referralTransaction(view, context).entry![0]!.resource as Patient;
    expect(patient).toMatchObject({ gender: 'other', birthDate: '1990-04-12', telecom: [{ system: 'phone', value: '555-0100' }] });
    expect((referralTransaction(viewWith(['identity']), context).entry![0]!.resource as Patient).gender).toBeUndefined();
  });
});

describe('Task status → hub status', () => {
  const task = (status: Task['status'], extra: Partial<Task> = {}): Task => ({
    resourceType: 'Task', id: 't1', status, intent: 'order', identifier: [{ system: 'urn:referral-hub:referral', value: 'ref_1' }],
    meta: { versionId: 'v1', lastUpdated: '2026-01-02T03:04:05.678Z' }, ...extra,
  });

  it('maps every Task status as the table says', () => {
    expect(TASK_STATUS_MAP).toMatchObject({ requested: undefined, received: 'received', accepted: 'accepted', rejected: 'rejected', 'in-progress': 'in_progress', 'on-hold': 'on_hold', completed: 'completed', failed: 'failed', cancelled: 'withdrawn' });
    for (const [status, expected] of Object.entries(TASK_STATUS_MAP)) expect(reportFromTask(task(status as Task['status']))?.status).toBe(expected);
  });

  it('reads Gravity’s received from businessStatus, and the reason from statusReason first', () => {
    expect(reportFromTask(task('requested', { businessStatus: { coding: [{ code: 'received' }] } }))).toMatchObject({ status: 'received', version: 'v1', recordId: 't1' });
    expect(reportFromTask(task('rejected', { statusReason: { text: 'full' }, businessStatus: { text: 'declined' } }))!.reason).toBe('full');
  });

  it('ignores Tasks the hub did not write, or without a version', () => {
    expect(reportFromTask(task('accepted', { identifier: [{ system: 'urn:other', value: 'x' }] }))).toBeUndefined();
    expect(reportFromTask(task('accepted', { meta: {} }))).toBeUndefined();
  });

  describe('engagement from businessStatus', () => {
    const code = (c: string) => ({ coding: [{ system: ENGAGEMENT_SYSTEM, code: c }] });
    const appointment = (valueDateTime: string) => ({ output: [{ type: code('appointment-at'), valueDateTime }] });

    it('reads intake-scheduled with the appointment from Task.output, else from executionPeriod.start', () => {
      expect(engagementFromTask(task('accepted', { businessStatus: code('intake-scheduled'), ...appointment('2026-03-04T15:30:00-05:00') }))).toEqual({
        type: 'intake_scheduled', appointmentAt: '2026-03-04T20:30:00.000Z',
      });
      expect(engagementFromTask(task('accepted', { businessStatus: { text: 'Intake scheduled' }, executionPeriod: { start: '2026-03-05T09:00:00Z' } }))).toEqual({
        type: 'intake_scheduled', appointmentAt: '2026-03-05T09:00:00.000Z',
      });
      // Output wins over executionPeriod; text "appointment" names the output too.
      expect(engagementFromTask(task('accepted', {
        businessStatus: code('intake-scheduled'), executionPeriod: { start: '2026-03-05T09:00:00Z' }, output: [{ type: { text: 'Appointment' }, valuePeriod: { start: '2026-03-06T10:00:00Z' } }],
      }))!.appointmentAt).toBe('2026-03-06T10:00:00.000Z');
    });

    it('needs a time of day for an intake: without one there is no engagement to record', () => {
      expect(engagementFromTask(task('accepted', { businessStatus: code('intake-scheduled') }))).toBeUndefined();
      expect(engagementFromTask(task('accepted', { businessStatus: code('intake-scheduled'), ...appointment('2026-03-04') }))).toBeUndefined();
      expect(engagementFromTask(task('accepted', { businessStatus: code('intake-scheduled'), ...appointment('not a date T10:00') }))).toBeUndefined();
    });

    it('reads attended and no-show from codes of any system or text, case and separators ignored', () => {
      expect(engagementFromTask(task('in-progress', { businessStatus: { text: 'Attended' } }))).toEqual({ type: 'attended' });
      expect(engagementFromTask(task('on-hold', { businessStatus: { coding: [{ system: 'urn:ehr:local', code: 'NO_SHOW' }] } }))).toEqual({ type: 'no_show' });
      expect(engagementFromTask(task('on-hold', { businessStatus: { text: 'no show' } }))).toEqual({ type: 'no_show' });
      expect(engagementFromTask(task('in-progress', { businessStatus: { text: 'attended' }, ...appointment('2026-03-04T15:30:00Z') }))).toEqual({
        type: 'attended', appointmentAt: '2026-03-04T15:30:00.000Z',
      });
      // The hub's system wins over another code on the same concept.
      expect(engagementFromTask(task('in-progress', { businessStatus: { coding: [{ system: 'urn:x', code: 'attended' }, { system: ENGAGEMENT_SYSTEM, code: 'no-show' }] } }))).toEqual({ type: 'no_show' });
      expect(engagementFromTask(task('in-progress', { businessStatus: { text: 'waiting for documents' } }))).toBeUndefined();
      expect(engagementFromTask(task('in-progress'))).toBeUndefined();
    });

    it('puts the engagement on the report, and does not take an engagement businessStatus for a reason', () => {
      const report = reportFromTask(task('in-progress', { businessStatus: { text: 'attended' } }))!;
      expect(report).toMatchObject({ status: 'in_progress', engagement: { type: 'attended' } });
      expect(report.reason).toBeUndefined();
      expect(reportFromTask(task('on-hold', { businessStatus: { text: 'no-show' }, statusReason: { text: 'missed intake' } }))).toMatchObject({
        status: 'on_hold', reason: 'missed intake', engagement: { type: 'no_show' },
      });
      expect(reportFromTask(task('on-hold', { businessStatus: { text: 'awaiting funding' } }))).toMatchObject({ reason: 'awaiting funding' });
      expect(reportFromTask(task('on-hold', { businessStatus: { text: 'awaiting funding' } }))!.engagement).toBeUndefined();
    });
  });
});

describe('events to reach a reported status', () => {
  const at = (status: string, statusBeforeHold: string | null = null) => ({ status, statusBeforeHold }) as Parameters<typeof eventsToReach>[0];
  it('catches up through the state machine', () => {
    expect(eventsToReach(at('delivered'), 'accepted')).toEqual(['accepted']);
    expect(eventsToReach(at('delivered'), 'in_progress')).toEqual(['accepted', 'in_progress']);
    expect(eventsToReach(at('delivered'), 'completed')).toEqual(['accepted', 'completed']);
    expect(eventsToReach(at('on_hold', 'accepted'), 'in_progress')).toEqual(['accepted', 'in_progress']);
    expect(eventsToReach(at('accepted'), 'accepted')).toEqual([]);
  });
  it('finds no way where the machine has none', () => {
    expect(eventsToReach(at('completed'), 'in_progress')).toBeUndefined();
    expect(eventsToReach(at('cancelled'), 'accepted')).toBeUndefined();
  });
});

describe('FHIR call failures', () => {
  const httpError = (status: number, data: unknown) => Object.assign(new Error(`HTTP ${status}: POST http://x/`), { response: { status, data } });
  const oo = (text: string) => ({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', details: { text } }] });

  it('keeps OperationOutcome text but cuts out anything the partner echoed of the disclosed data', () => {
    const redact = redactorFor({ identity: { name: { family: 'Okafor' } }, reason: 'Needs stable housing' });
    const f = describeFailure(httpError(422, oo('Patient.name "Okafor" is invalid; reason Needs stable housing too long')), 1000, redact);
    expect(f).toEqual({ kind: 'permanent', status: 422, error: 'HTTP 422: error/invalid: Patient.name "[redacted]" is invalid; reason [redacted] too long' });
  });

  it('retries 5xx, 429 and 412 and fails 4xx permanently', () => {
    expect(describeFailure(httpError(503, ''), 1000).kind).toBe('retry');
    expect(describeFailure(httpError(429, ''), 1000).kind).toBe('retry');
    expect(describeFailure(httpError(412, ''), 1000).kind).toBe('retry');
    expect(describeFailure(httpError(401, oo('bad token')), 1000)).toEqual({ kind: 'permanent', status: 401, error: 'HTTP 401: error/invalid: bad token' });
    expect(describeFailure(Object.assign(new Error('t'), { name: 'TimeoutError' }), 1500)).toEqual({ kind: 'retry', error: 'timeout after 1500 ms' });
  });

  it('tells the partner’s own links from foreign ones', () => {
    const base = 'https://fhir.partner.example/r4';
    expect(isUnderBase('https://fhir.partner.example/r4/Task?page=2', base)).toBe(true);
    expect(isUnderBase('https://fhir.partner.example/r4', base)).toBe(true);
    expect(isUnderBase('https://fhir.partner.example/r4x/Task', base)).toBe(false);
    expect(isUnderBase('https://evil.example/r4/Task', base)).toBe(false);
    expect(isUnderBase('http://fhir.partner.example/r4/Task', base)).toBe(false);
    expect(isUnderBase('not a url', base)).toBe(false);
  });
});
