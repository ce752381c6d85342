-- Every change to an organisation is announced at commit on 'hub_organizations' (payload: its id),
-- so each hub process can drop its cached copy: the consent decision reads an organisation's kind
-- and Part 2 status, and must never use a stale one for longer than the notice takes to arrive.
-- A trigger rather than a NOTIFY in each code path, so no way of changing the row can forget it.
CREATE OR REPLACE FUNCTION organizations_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('hub_organizations', coalesce(NEW.id, OLD.id));
  RETURN NULL;
END $$;

CREATE TRIGGER organizations_notify AFTER INSERT OR UPDATE OR DELETE ON organizations
  FOR EACH ROW EXECUTE FUNCTION organizations_notify();
