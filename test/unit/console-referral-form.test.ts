import { describe, expect, it } from 'vitest';
import { noteSlots, parseReferralForm } from '../../gateway/console/referral-form.js';

const enrolled = { name: { given: ['Jordan'], family: 'Rivera' }, birthDate: '1990-04-12' };
const filled = {
  participantId: 'par_JordanRivera0000000001', partnerId: 'org_EastsideHousing0000001', service: 'housing', purpose: 'care_coordination', priority: 'routine',
  reason: '  Needs stable housing  ', identity: 'include',
};

describe('the referral form as a ReferralInput', () => {
  it('sends the enrolled identity when ticked, typed sections as summaries, and leaves blank sections and notes out', () => {
    const parsed = parseReferralForm({
      ...filled, 'section-housing': 'Couch-surfing', 'section-justice': '   ', 'note-0-category': '', 'note-0-text': '',
      'note-1-category': 'mental_health', 'note-1-text': 'Sees a counsellor',
    }, enrolled);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.input).toEqual({
      participantId: filled.participantId, partnerId: filled.partnerId, service: 'housing', purpose: 'care_coordination', priority: 'routine',
      reason: 'Needs stable housing',
      caseFile: { identity: enrolled, housing: { summary: 'Couch-surfing' }, notes: [{ category: 'mental_health', text: 'Sees a counsellor' }] },
    });
  });

  it('names each missing choice next to its own field, a note without a category included', () => {
    const parsed = parseReferralForm({ participantId: filled.participantId, service: 'housing', 'note-2-text': 'about what?' }, enrolled);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(Object.keys(parsed.errors).sort()).toEqual(['note-2-category', 'partnerId', 'purpose', 'reason']);
  });

  it('puts a schema error on a note on the slot the planner typed it in, not its place among the filled ones', () => {
    const parsed = parseReferralForm({ ...filled, 'note-1-category': 'housing', 'note-1-text': 'x'.repeat(20_001) }, enrolled);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(Object.keys(parsed.errors)).toEqual(['note-1-text']);
  });

  it('fingerprints the input, so a change after the preview is seen', () => {
    const a = parseReferralForm(filled, enrolled);
    const b = parseReferralForm({ ...filled, reason: 'Another reason' }, enrolled);
    const same = parseReferralForm({ ...filled }, enrolled);
    expect(a.ok && b.ok && same.ok).toBe(true);
    if (!a.ok || !b.ok || !same.ok) return;
    expect(a.fingerprint).toBe(same.fingerprint);
    expect(a.fingerprint).not.toBe(b.fingerprint);
  });

  it('keeps every note slot in use, and one blank more', () => {
    expect(noteSlots({})).toBe(3);
    expect(noteSlots({ 'note-4-text': 'five' })).toBe(6);
  });
});
