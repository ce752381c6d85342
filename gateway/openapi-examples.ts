import { WITHHELD_NOTICE } from '../consent/index.js';
import { ID_PATTERN } from '../lib/ids.js';
import { disclosuresCsv as toDisclosuresCsv } from '../services/disclosures.js';

/**
 * The examples of the API reference, all drawn from the README's walkthrough: County Probation
 * refers Jordan Rivera (born 1990-04-12) to Eastside Housing under a consent that lets the
 * housing provider see identity, contact and housing data for care coordination. A reader can
 * follow one story from operation to operation, and the ids match from one example to the next.
 *
 * Real ids are random; these spell what they stand for, padded to the real length, so that they
 * pass the same pattern the API checks.
 */
function exampleId(prefix: string, name: string): string {
  const id = `${prefix}_${name}`.padEnd(prefix.length + 1 + 22, '0');
  if (!ID_PATTERN.test(id)) throw new Error(`example id ${id} does not match the id pattern`);
  return id;
}

export const ids = {
  probation: exampleId('org', 'CountyProbation'),
  housing: exampleId('org', 'EastsideHousing'),
  recovery: exampleId('org', 'RiversideRecovery'),
  participant: exampleId('par', 'JordanRivera'),
  referral: exampleId('ref', 'HousingReferral'),
  consent: exampleId('con', 'HousingConsent'),
  plannerClient: exampleId('cli', 'ProbationPlanner'),
  partnerClient: exampleId('cli', 'HousingPartner'),
  event: (name: string) => exampleId('evt', name),
};

const times = {
  enrolled: '2026-05-04T08:58:10.512Z',
  consentStart: '2026-05-04T09:00:00Z',
  consentEnd: '2027-05-04T09:00:00Z',
  consentRecorded: '2026-05-04T09:01:30.118Z',
  referred: '2026-05-04T09:05:12.204Z',
  delivered: '2026-05-04T09:05:12.931Z',
  received: '2026-05-04T09:20:00.000Z',
  accepted: '2026-05-04T10:02:41.377Z',
  inProgress: '2026-05-06T14:30:00.000Z',
  completed: '2026-08-28T16:00:00.000Z',
  revoked: '2026-09-01T11:15:00.000Z',
};

const name = { given: ['Jordan'], family: 'Rivera' };
const birthDate = '1990-04-12';

export const organizationInput = {
  probation: { name: 'County Probation', kind: 'probation', adapter: { type: 'portal' } },
  housing: { name: 'Eastside Housing', kind: 'housing', adapter: { type: 'webhook', url: 'https://hooks.eastside-housing.example/referrals' } },
};

const housingOrganization = {
  id: ids.housing, name: 'Eastside Housing', kind: 'housing', part2Program: false,
  adapter: { type: 'webhook', url: 'https://hooks.eastside-housing.example/referrals' }, createdAt: '2026-05-04T08:55:02.640Z',
};
export const organization = {
  created: { ...housingOrganization, webhookSecret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
  read: housingOrganization,
  patch: { sla: { acknowledgeWithinHours: 4, firstContactWithinDays: 3 } },
  patched: { ...housingOrganization, sla: { acknowledgeWithinHours: 4, firstContactWithinDays: 3 } },
  list: {
    items: [
      housingOrganization,
      { id: ids.probation, name: 'County Probation', kind: 'probation', part2Program: false, adapter: { type: 'portal' }, createdAt: '2026-05-04T08:55:01.902Z' },
    ],
    nextCursor: null,
  },
};

export const client = {
  input: {
    organizationId: ids.probation,
    role: 'planner',
    jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0', alg: 'ES256', kid: 'planner-2026-05' }] },
  },
  created: { clientId: ids.plannerClient, organizationId: ids.probation, role: 'planner' },
};

export const participant = {
  input: { name, birthDate },
  created: { id: ids.participant, name, birthDate, minor: false, createdAt: times.enrolled },
};

export const consent = {
  input: {
    participantId: ids.participant,
    basis: 'consent',
    period: { start: times.consentStart, end: times.consentEnd },
    signatures: [{ signer: 'participant', name: 'Jordan Rivera', signedAt: times.consentStart, method: 'electronic' }],
    provision: { type: 'permit', actors: [{ organizationId: ids.housing }], purposes: ['care_coordination'], categories: ['identity', 'contact', 'housing'] },
  },
  revokeInput: { reason: 'Jordan Rivera withdrew consent in writing' },
};
const recordedConsent = {
  id: ids.consent,
  participantId: ids.participant,
  basis: 'consent',
  status: 'active',
  period: consent.input.period,
  signatures: consent.input.signatures,
  provision: consent.input.provision,
  createdAt: times.consentRecorded,
};
export const consentViews = {
  created: { ...recordedConsent, warnings: [] },
  read: recordedConsent,
  list: { items: [recordedConsent], nextCursor: null },
  revoked: { ...recordedConsent, status: 'revoked', revokedAt: times.revoked, revokeReason: consent.revokeInput.reason },
};

const caseFile = {
  identity: { name, birthDate },
  contact: { phone: '555-0100' },
  housing: { status: 'couch-surfing', eviction: false },
  justice: { supervisionLevel: 'medium' },
  substance_use: { asiScore: 0.42 },
  notes: [
    { category: 'housing', text: 'Prefers the east side, near work' },
    { category: 'substance_use', text: 'In outpatient treatment since May' },
  ],
};

export const referral = {
  input: {
    participantId: ids.participant,
    partnerId: ids.housing,
    service: 'housing',
    purpose: 'care_coordination',
    reason: 'Needs stable housing before release review',
    caseFile,
  },
};
const referralCreated = {
  id: ids.referral, status: 'queued', participantId: ids.participant, partnerId: ids.housing,
  service: 'housing', purpose: 'care_coordination', priority: 'routine', createdAt: times.referred,
};
export const referralViews = {
  created: referralCreated,
  replayed: { ...referralCreated, status: 'queued' },
  /** What County Probation reads: everything it sent, and where the referral stands. */
  referrer: {
    ...referralCreated,
    status: 'accepted',
    reason: referral.input.reason,
    updatedAt: times.accepted,
    deliveredAt: times.delivered,
    lastError: null,
    withheldEvents: 0,
    caseFile,
  },
  /** What Eastside Housing reads: what the consent permits it, the rest counted but never named. */
  partner: {
    id: ids.referral,
    status: 'accepted',
    service: 'housing',
    purpose: 'care_coordination',
    priority: 'routine',
    reason: referral.input.reason,
    createdAt: times.referred,
    caseFile: {
      identity: caseFile.identity,
      contact: caseFile.contact,
      housing: caseFile.housing,
      notes: [caseFile.notes[0]],
    },
    withheld: { count: 3, notice: WITHHELD_NOTICE },
    notices: [],
  },
};

export const event = {
  inputs: {
    received: { type: 'received' },
    accepted: { type: 'accepted' },
    intakeScheduled: { type: 'intake_scheduled', appointmentAt: '2026-05-07T15:00:00Z', note: { category: 'housing', text: 'Intake at the Main Street office' } },
    rejected: { type: 'rejected', reason: 'No units available on the east side this quarter' },
    cancelled: { type: 'cancelled', reason: 'Placed in a county program instead' },
  },
  created: { id: ids.event('Accepted'), type: 'accepted', occurredAt: times.accepted, status: 'accepted' },
};

export const timeline = {
  items: [
    { id: ids.event('Created'), type: 'created', occurredAt: times.referred, by: ids.probation },
    { id: ids.event('Queued'), type: 'queued', occurredAt: times.referred },
    { id: ids.event('Delivered'), type: 'delivered', occurredAt: times.delivered },
    { id: ids.event('Received'), type: 'received', occurredAt: times.received, by: ids.housing },
    { id: ids.event('Accepted'), type: 'accepted', occurredAt: times.accepted, by: ids.housing },
    { id: ids.event('InProgress'), type: 'in_progress', occurredAt: times.inProgress, by: ids.housing },
    { id: ids.event('Completed'), type: 'completed', occurredAt: times.completed, by: ids.housing },
  ],
};

const notPermitted = (category: string) => ({ category, reason: `no active basis permits ${category} to Eastside Housing for care coordination` });
export const accessDecision = {
  permitted: ['identity', 'contact', 'housing'],
  denied: ['demographics', 'justice', 'risk_assessment', 'mental_health', 'substance_use', 'medical', 'education', 'employment', 'family'].map(notPermitted),
  bases: { identity: [ids.consent], contact: [ids.consent], housing: [ids.consent] },
  obligations: [],
};

export const disclosures = {
  items: [
    {
      at: times.delivered, recipientOrganizationId: ids.housing, referralId: ids.referral,
      categories: ['identity', 'contact', 'housing'], purpose: 'care_coordination',
      basisIds: [ids.consent], bases: [{ id: ids.consent, basis: 'consent' }], channel: 'delivery',
    },
  ],
  nextCursor: null,
};
/** The same accounting as CSV, written by the very function that answers `Accept: text/csv`. */
export const disclosuresCsv = toDisclosuresCsv(disclosures.items as Parameters<typeof toDisclosuresCsv>[0]);

export const auditVerification = { valid: true, entries: 27, head: 'b0c3a4e0a3c5d3f1d2e8a7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6', unsealed: 0, oldestUnsealedSeconds: null };

export const token = {
  request: {
    grant_type: 'client_credentials',
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: 'eyJhbGciOiJFUzI1NiIsImtpZCI6InBsYW5uZXItMjAyNi0wNSJ9.eyJpc3MiOiJjbGlfUHJvYmF0aW9uUGxhbm5lcjAwMDAwMSJ9.c2lnbmF0dXJl',
    scope: 'hub/planner',
  },
  response: { access_token: 'eyJhbGciOiJFUzI1NiIsImtpZCI6Imh1Yi1zaWduaW5nLTEiLCJ0eXAiOiJhdCtqd3QifQ.eyJyb2xlIjoicGxhbm5lciJ9.c2lnbmF0dXJl', token_type: 'bearer', expires_in: 300, scope: 'hub/planner' },
  errors: {
    badGrant: { error: 'invalid_grant', error_description: 'this client assertion (jti) has been used before' },
    badClient: { error: 'invalid_client', error_description: 'the client assertion signature does not verify with the client’s registered keys' },
    slowDown: { error: 'slow_down', error_description: 'over the limit of 100 token requests per second for this client; retry after 1 s' },
  },
};
