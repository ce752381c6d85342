import { describe, expect, it } from 'vitest';
import { readConsentForm, type FormValues } from '../../gateway/console/consent-form.js';

const now = new Date('2026-12-01T12:00:00Z');
const parties = [
  { id: 'org_Probation-000000000001', name: 'County Probation', kind: 'probation' as const, part2Program: false },
  { id: 'org_Recovery-0000000000001', name: 'Riverside Recovery', kind: 'sud_treatment' as const, part2Program: true },
];
const ctx = (birthDate: string) => ({ participant: { id: 'par_Casey-0000000000000001', birthDate }, ownOrgId: parties[0]!.id, parties, now });
const filled: FormValues = {
  [`to.${parties[1]!.id}`]: 'on', 'toKind.housing': 'on', 'purpose.treatment': 'on', 'send.identity': 'on', 'back.substance_use': 'on',
  start: '2026-12-01', end: '2027-06-01', basis: 'consent', participantName: 'Casey Brooks', participantSignedOn: '2026-12-01', participantMethod: 'wet',
};

describe('the guided consent form', () => {
  it('writes both directions as one consent: the partners receive, and report back to the officer’s organisation', () => {
    const { input, errors } = readConsentForm(filled, ctx('1990-04-12'));
    expect(errors).toEqual({});
    expect(input!.provision).toEqual({
      type: 'deny',
      provisions: [
        { type: 'permit', actors: [{ role: 'recipient', organizationId: parties[1]!.id }, { role: 'recipient', organizationKind: 'housing' }], purposes: ['treatment'], categories: ['identity'] },
        {
          type: 'permit',
          actors: [{ role: 'source', organizationId: parties[1]!.id }, { role: 'source', organizationKind: 'housing' }, { role: 'recipient', organizationId: parties[0]!.id }],
          purposes: ['treatment'], categories: ['substance_use'],
        },
      ],
    });
    expect(input!.period).toEqual({ start: '2026-12-01T00:00:00Z', end: '2027-06-01T00:00:00Z' });
  });

  it('puts a minor’s missing guardian signature on the guardian field, with the service’s words', () => {
    const { input, errors } = readConsentForm({ ...filled, 'send.substance_use': 'on' }, ctx('2011-06-30'));
    expect(input).toBeUndefined();
    expect(errors.guardianName).toContain("a parent's or legal guardian's signature");
  });

  it('names each missing choice and a court order without its document', () => {
    const { errors } = readConsentForm({ start: '2026-12-01', end: '2026-11-01', basis: 'court_order' }, ctx('1990-04-12'));
    expect(Object.keys(errors).sort()).toEqual(['end', 'purposes', 'recipients', 'send']);
    const order = readConsentForm({ ...filled, basis: 'court_order' }, ctx('1990-04-12'));
    expect(order.errors.documentRef).toBe('a court order basis must reference the court order');
  });

  it('refuses a day the calendar does not have in words, on the field it was typed in', () => {
    const { input, errors } = readConsentForm({ ...filled, start: '2026-02-31', participantSignedOn: '2026-02-30', end: '2027-02-29' }, ctx('1990-04-12'));
    expect(input).toBeUndefined();
    expect(errors.start).toBe('enter the date the consent starts');
    expect(errors.participantSignedOn).toBe('enter the date it was signed');
    expect(errors.end).toBe('enter the expiry as a date, or leave it empty');
  });

  it('puts a problem with the guardian’s signature on the guardian’s fields, not the participant’s', () => {
    const guardian = { guardianName: 'G'.repeat(301), guardianRelationship: 'mother', guardianSignedOn: '2026-12-01', guardianMethod: 'wet' };
    const { input, errors } = readConsentForm({ ...filled, ...guardian }, ctx('2011-06-30'));
    expect(input).toBeUndefined();
    expect(errors.guardianName).toBeDefined();
    expect(errors.participantName).toBeUndefined();
  });
});
