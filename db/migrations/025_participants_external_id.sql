-- GET /v1/participants?externalId= finds an organisation's participant by the id its own system
-- gave them (so scripts and integrations find a participant again instead of enrolling twice).
CREATE INDEX participants_external_id ON participants (organization_id, external_id) WHERE external_id IS NOT NULL;
