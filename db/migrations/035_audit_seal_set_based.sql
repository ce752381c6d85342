-- The sequencer seals a batch with one UPDATE instead of one per row.
--
-- audit_seal (migration 005) updated each row it sealed with a statement of its own: in a run of
-- the end-to-end benchmark that was 38,000 single-row UPDATEs, about 0.22 ms each, most of the
-- sequencer's time. The chain is still computed row by row, in `seq` order, from the head, as
-- before (each hash covers the one before it); only the writing changes: the positions and hashes
-- are collected first and written by one UPDATE joined to them. The guard trigger (005) still
-- checks every sealed row's hash against its content, so what may be written is unchanged.
CREATE OR REPLACE FUNCTION audit_seal(batch int) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
  head_hash text;
  head_pos bigint;
  seqs bigint[] := '{}';
  positions bigint[] := '{}';
  prevs text[] := '{}';
  hashes text[] := '{}';
  r record;
BEGIN
  PERFORM pg_advisory_xact_lock(7262001);
  SELECT hash, chain_pos INTO head_hash, head_pos FROM audit_log WHERE chain_pos IS NOT NULL ORDER BY chain_pos DESC LIMIT 1;
  head_hash := coalesce(head_hash, repeat('0', 64));
  head_pos := coalesce(head_pos, 0);
  FOR r IN SELECT seq, at, actor, action, subject, detail FROM audit_log WHERE hash IS NULL ORDER BY seq LIMIT batch LOOP
    head_pos := head_pos + 1;
    seqs := array_append(seqs, r.seq);
    positions := array_append(positions, head_pos);
    prevs := array_append(prevs, head_hash);
    head_hash := audit_hash(head_hash, r.seq, r.at, r.actor, r.action, r.subject, r.detail);
    hashes := array_append(hashes, head_hash);
  END LOOP;
  IF cardinality(seqs) = 0 THEN
    RETURN 0;
  END IF;
  UPDATE audit_log a SET chain_pos = s.pos, prev_hash = s.prev, hash = s.hash
    FROM unnest(seqs, positions, prevs, hashes) AS s(seq, pos, prev, hash)
   WHERE a.seq = s.seq AND a.hash IS NULL;
  RETURN cardinality(seqs);
END $$;
