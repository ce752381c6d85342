import { DATA_CATEGORIES } from '../../schemas/vocabulary.js';

/** A case file with every category, each carrying a marker that must never reach a partner uninvited. */
export const marker = (category: string) => `MARKER-${category.toUpperCase()}-7f3a`;

export function fullCaseFile() {
  const caseFile: Record<string, unknown> = {
    identity: { name: { given: ['Jordan'], family: 'Rivera' }, birthDate: '1990-04-12', identifiers: [{ system: 'urn:state:sid', value: marker('identity') }] },
    contact: { phone: '555-0100', address: { line: marker('contact'), city: 'Springfield', state: 'IL', postalCode: '62701' } },
  };
  for (const category of DATA_CATEGORIES) {
    if (!(category in caseFile)) caseFile[category] = { summary: marker(category) };
  }
  caseFile.notes = DATA_CATEGORIES.map((category) => ({ category, text: `note ${marker(category)}-NOTE` }));
  return caseFile;
}

export const adultParticipant = { name: { given: ['Jordan'], family: 'Rivera' }, birthDate: '1990-04-12', gender: 'nonbinary', race: ['hispanic_or_latino'] };

export const permitConsent = (participantId: string, recipientId: string, categories: string[], extra: Record<string, unknown> = {}) => ({
  participantId,
  basis: 'consent',
  period: { start: new Date(Date.now() - 86_400_000).toISOString() },
  signatures: [{ signer: 'participant', name: 'Jordan Rivera', signedAt: new Date().toISOString(), method: 'electronic' }],
  provision: { type: 'permit', actors: [{ organizationId: recipientId }], purposes: ['care_coordination', 'treatment'], categories },
  ...extra,
});
