-- An organisation's own identity provider: its staff sign in to the console through OpenID Connect
-- (authorization code with PKCE) instead of, or beside, a password kept by the hub.
--
-- One provider per organisation. The client secret is encrypted with the data keys like every
-- other secret the hub holds (JWE, rotated by rotate-data-keys); the rest is configuration.
CREATE TABLE identity_providers (
  organization_id   text PRIMARY KEY REFERENCES organizations (id),
  issuer            text NOT NULL,                 -- the provider's Issuer Identifier (discovery starts there)
  client_id         text NOT NULL,                 -- the hub's client at the provider
  client_secret_jwe text NOT NULL,
  -- How a signed-in person is matched to a staff account of THIS organisation: by the subject
  -- recorded on the account (staff.oidc_subject), or by a verified e-mail address.
  match_by          text NOT NULL CHECK (match_by IN ('sub', 'email')),
  -- Optional: the organisation's mail domain. Staff find their provider from their address on the
  -- sign-in page, and with match_by = 'email' only addresses of this domain are accepted.
  email_domain      text,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);
-- A domain leads to one organisation's provider, or the sign-in page could not choose.
CREATE UNIQUE INDEX identity_providers_email_domain ON identity_providers (lower(email_domain)) WHERE email_domain IS NOT NULL;

-- The provider's `sub` for a staff member, when their organisation matches by subject. Unique per
-- organisation only: two providers may well hand out the same subject to different people.
ALTER TABLE staff ADD COLUMN oidc_subject text;
CREATE UNIQUE INDEX staff_oidc_subject ON staff (organization_id, oidc_subject) WHERE oidc_subject IS NOT NULL;

-- A disabled account signs in by no method and keeps no session; it stays for the audit trail.
ALTER TABLE staff ADD COLUMN disabled_at timestamptz;
