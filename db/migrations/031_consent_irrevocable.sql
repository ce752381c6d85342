-- 42 CFR 2.35: a consent to disclose to the criminal-justice agency that referred the person may
-- be irrevocable until a stated event (for example the final disposition of the case). The
-- event in words and, optionally, the date from which revocation is allowed at the latest:
-- {"event": "...", "until": "<timestamptz>"}. NULL: revocable at any time (42 CFR 2.31(a)(6)).
ALTER TABLE consents ADD COLUMN irrevocable jsonb;
