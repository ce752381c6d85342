-- The audit log without a global lock on the hot path.
--
-- Until now a trigger took one advisory lock per audit-writing transaction and held it to commit,
-- so every intake, partner read and event ran one at a time, and extra gateway processes added no
-- write throughput. Now rows are appended concurrently, unsealed (no hash yet), and a single
-- sequencer in the worker role (audit_seal, below) chains them in batches, as transparency logs do
-- (Certificate Transparency's merge delay). The chain's order is the order of sealing
-- (`chain_pos`), not the insert sequence: `seq` is handed out at insert time, and a transaction
-- holding a small `seq` may commit after one holding a larger one. The sequencer only ever sees
-- committed rows, so a row that commits late is simply sealed in a later batch; nothing can be
-- slipped in before a sealed row. Rows already chained by the old trigger keep their links, in
-- `seq` order, which becomes their chain position.

DROP TRIGGER audit_chain ON audit_log;
DROP FUNCTION audit_chain();

ALTER TABLE audit_log ALTER COLUMN prev_hash DROP NOT NULL;
ALTER TABLE audit_log ALTER COLUMN hash DROP NOT NULL;
ALTER TABLE audit_log ADD COLUMN chain_pos bigint;
ALTER TABLE audit_log DISABLE TRIGGER audit_append_only;
UPDATE audit_log SET chain_pos = seq;
ALTER TABLE audit_log ENABLE TRIGGER audit_append_only;
CREATE UNIQUE INDEX audit_log_chain_pos ON audit_log (chain_pos);
-- The sequencer's work list: rows not sealed yet.
CREATE INDEX audit_log_unsealed ON audit_log (seq) WHERE hash IS NULL;

-- Append-only still, with one exception: the sequencer sealing an unsealed row, which writes its
-- chain position and hashes and nothing else, with a hash that matches the row's content.
CREATE FUNCTION audit_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.hash IS NULL AND NEW.hash IS NOT NULL AND NEW.chain_pos IS NOT NULL
     AND NEW.prev_hash IS NOT NULL
     AND (NEW.seq, NEW.at, NEW.actor, NEW.action, NEW.subject, NEW.detail) IS NOT DISTINCT FROM
         (OLD.seq, OLD.at, OLD.actor, OLD.action, OLD.subject, OLD.detail)
     AND NEW.hash = audit_hash(NEW.prev_hash, NEW.seq, NEW.at, NEW.actor, NEW.action, NEW.subject, NEW.detail) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END $$;
DROP TRIGGER audit_append_only ON audit_log;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_guard();

-- Seals up to `batch` committed, unsealed rows, oldest first, each linked to the one sealed before
-- it. One sequencer at a time (the advisory lock is taken only here, never on the hot path).
-- Returns how many rows it sealed.
CREATE FUNCTION audit_seal(batch int) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
  head_hash text;
  head_pos bigint;
  sealed int := 0;
  r record;
BEGIN
  PERFORM pg_advisory_xact_lock(7262001);
  SELECT hash, chain_pos INTO head_hash, head_pos FROM audit_log WHERE chain_pos IS NOT NULL ORDER BY chain_pos DESC LIMIT 1;
  head_hash := coalesce(head_hash, repeat('0', 64));
  head_pos := coalesce(head_pos, 0);
  FOR r IN SELECT seq, at, actor, action, subject, detail FROM audit_log WHERE hash IS NULL ORDER BY seq LIMIT batch LOOP
    head_pos := head_pos + 1;
    UPDATE audit_log SET chain_pos = head_pos, prev_hash = head_hash,
      hash = audit_hash(head_hash, r.seq, r.at, r.actor, r.action, r.subject, r.detail)
    WHERE seq = r.seq
    RETURNING hash INTO head_hash;
    sealed := sealed + 1;
  END LOOP;
  RETURN sealed;
END $$;
