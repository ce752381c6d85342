/**
 * Fixed texts that travel with disclosed data.
 *
 * 42 CFR 2.32(a)(1) as revised by the 2024 final rule (89 FR 12472, Feb. 16, 2024): each disclosure
 * made with the patient's written consent must be accompanied by this statement (or the short form
 * of (a)(2)). We always send the full statement: recipients of a referral are often not covered
 * entities, and the long form tells them what they may and may not do with the record.
 */
export const PART2_REDISCLOSURE_NOTICE =
  'This record which has been disclosed to you is protected by Federal confidentiality rules (42 CFR part 2). ' +
  'These rules prohibit you from using or disclosing this record, or testimony that describes the information ' +
  'contained in this record, in any civil, criminal, administrative, or legislative proceedings by any Federal, ' +
  'State, or local authority, against the patient, unless authorized by the consent of the patient, except as ' +
  'provided at 42 CFR 2.12(c)(5) or as authorized by a court in accordance with 42 CFR 2.64 or 2.65. In addition, ' +
  'the Federal rules prohibit you from making any other use or disclosure of this record unless at least one of ' +
  'the following applies:\n' +
  '(i) Further use or disclosure is expressly permitted by the written consent of the individual whose ' +
  'information is being disclosed in this record or as otherwise permitted by 42 CFR part 2.\n' +
  '(ii) You are a covered entity or business associate and have received the record for treatment, payment, or ' +
  'health care operations, or\n' +
  '(iii) You have received the record from a covered entity or business associate as permitted by 45 CFR part ' +
  '164, subparts A and E.\n' +
  'A general authorization for the release of medical or other information is NOT sufficient to meet the ' +
  'required elements of written consent to further use or redisclose the record (see 42 CFR 2.31).';

/** The obligation code under which the notice appears in a Decision and a projection (defined with the vocabulary). */
export { PART2_NOTICE_CODE } from '../schemas/vocabulary.js';

/**
 * Told to a recipient when part of the file was left out. It never names what was withheld:
 * "mental_health withheld" would itself disclose that there is a mental-health record.
 */
export const WITHHELD_NOTICE =
  "Some information in this participant's record was withheld because the participant's consent does not permit sharing it with you.";
