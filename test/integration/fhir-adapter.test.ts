import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle } from '@medplum/fhirtypes';
import type { Disclosed } from '../../consent/disclosed.js';
import { closeFhirAgents, createFhirAdapter } from '../../adapters/fhir/index.js';
import type { CancelledReferralView, DeliveryMessage, PartnerReferralView } from '../../adapters/types.js';
import { startFhirServer, type FhirTestServer } from '../support/fhir-server.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { tasksFor } from '../support/fhir.js';

/** The adapter alone against the real FHIR server: idempotency, cancellation, paging and SSRF rules. */

const context = { subjectRef: 'par_adapterTestSubject000001', referrer: { id: 'org_referrer', name: 'County Probation' }, partner: { id: 'org_partner', name: 'Riverside' } };

function created(id: string): DeliveryMessage {
  const view = {
    id, status: 'delivered', service: 'housing', purpose: 'care_coordination', priority: 'routine', reason: 'Needs stable housing', createdAt: '2026-01-05T10:00:00Z',
    caseFile: { identity: { name: { given: ['Sam'], family: 'Okafor' }, birthDate: '1988-02-03' }, housing: { situation: 'shelter' } },
    withheld: { count: 0, notice: '' }, notices: [],
  } as unknown as Disclosed<PartnerReferralView>;
  return { messageId: `msg_${id}`, type: 'referral.created', referral: view, context };
}
const cancelled = (id: string): DeliveryMessage => ({ messageId: `msg_c_${id}`, type: 'referral.cancelled', referral: { id, status: 'cancelled' } as Disclosed<CancelledReferralView> });

describe('the fhir adapter', () => {
  let fhir: FhirTestServer;
  let foreign: WebhookReceiver;
  beforeAll(async () => {
    fhir = await startFhirServer();
    foreign = await startWebhookReceiver({ secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', respond: () => 200 });
  });
  afterAll(async () => {
    await closeFhirAgents();
    await fhir?.close();
    await foreign?.close();
  });

  const adapter = (over: { allowPrivate?: boolean; baseUrl?: string } = {}) =>
    createFhirAdapter({ type: 'fhir', baseUrl: over.baseUrl ?? fhir.baseUrl, auth: { type: 'bearer', token: 'secret-bearer' } }, { allowPrivate: over.allowPrivate ?? true, timeoutMs: 2_000 });

  it('delivers the same message twice (a restart after the partner committed) without a second copy', async () => {
    const a = adapter();
    const first = await a.deliver(created('ref_adapterTwice000000000001'));
    const again = await a.deliver(created('ref_adapterTwice000000000001'));
    expect(first).toEqual({ outcome: 'delivered', detail: expect.stringMatching(/^Task\/[\w-]+ \(created\)$/) });
    expect(again).toEqual({ outcome: 'delivered', detail: first.outcome === 'delivered' ? first.detail!.replace('(created)', '(already there)') : '' });
    expect(await tasksFor(fhir, 'ref_adapterTwice000000000001')).toHaveLength(1);
  });

  it('cancels the Task once, and reports an already cancelled or unknown one as done', async () => {
    const a = adapter();
    await a.deliver(created('ref_adapterCancel00000000001'));
    expect(await a.deliver(cancelled('ref_adapterCancel00000000001'))).toEqual({ outcome: 'delivered', detail: expect.stringMatching(/cancelled$/) });
    expect(await a.deliver(cancelled('ref_adapterCancel00000000001'))).toEqual({ outcome: 'delivered', detail: expect.stringMatching(/already cancelled$/) });
    expect(await a.deliver(cancelled('ref_neverDelivered0000000001'))).toEqual({ outcome: 'delivered', detail: 'no Task on the partner server to cancel' });
    expect((await tasksFor(fhir, 'ref_adapterCancel00000000001'))[0]!.status).toBe('cancelled');
  });

  it('retries a cancellation that loses a version race (the server answers 412 to a stale If-Match)', async () => {
    const a = adapter();
    await a.deliver(created('ref_adapterRace0000000000001'));
    // The partner changes the Task between the hub's read and its write: the hub read an older version.
    fhir.transformSearch = (bundle: Bundle) => {
      fhir.transformSearch = undefined;
      return { ...bundle, entry: bundle.entry?.map((e) => ({ ...e, resource: { ...e.resource!, meta: { ...e.resource!.meta, versionId: 'stale-version' } } })) };
    };
    const lost = await a.deliver(cancelled('ref_adapterRace0000000000001'));
    expect(lost).toMatchObject({ outcome: 'retry', error: expect.stringMatching(/^HTTP 412/) });
    expect((await tasksFor(fhir, 'ref_adapterRace0000000000001'))[0]!.status).toBe('requested');
    expect(await a.deliver(cancelled('ref_adapterRace0000000000001'))).toMatchObject({ outcome: 'delivered' });
    expect((await tasksFor(fhir, 'ref_adapterRace0000000000001'))[0]!.status).toBe('cancelled');
  });

  it('follows no paging link off the partner’s base URL, so the bearer token never leaves it', async () => {
    const a = adapter();
    await a.deliver(created('ref_adapterPaging00000000001'));
    fhir.transformSearch = (bundle: Bundle) => ({ ...bundle, link: [{ relation: 'next', url: `${foreign.url}/fhir/R4/Task?page=2` }] });
    try {
      const fetched = await a.fetchStatusChanges!(undefined);
      expect(fetched.outcome).toBe('ok');
      expect(fetched.outcome === 'ok' && fetched.reports.some((r) => r.referralId === 'ref_adapterPaging00000000001')).toBe(true);
      expect(foreign.received).toEqual([]);
    } finally {
      fhir.transformSearch = undefined;
    }
  });

  it('refuses a loopback base URL unless private targets are allowed, before sending anything', async () => {
    const sent = fhir.requests.length;
    const refused = await adapter({ allowPrivate: false }).deliver(created('ref_adapterSsrf000000000001'));
    expect(refused).toEqual({ outcome: 'permanent_failure', error: expect.stringMatching(/^unsafe target: refusing to connect to 127\.0\.0\.1/) });
    expect(fhir.requests.length).toBe(sent);
    const poll = await adapter({ allowPrivate: false }).fetchStatusChanges!(undefined);
    expect(poll).toEqual({ outcome: 'error', error: expect.stringMatching(/^unsafe target/) });
  });

  it('reports a server that is not there as a network error to retry', async () => {
    const result = await adapter({ baseUrl: 'http://127.0.0.1:1/fhir' }).deliver(created('ref_adapterDown000000000001'));
    expect(result).toEqual({ outcome: 'retry', error: expect.stringMatching(/^network error/) });
  });
});
