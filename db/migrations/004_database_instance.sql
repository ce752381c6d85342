-- A random identity for this database, made once when its schema is created. Delivery job ids
-- carry it (workers/queues.ts): outbox ids come from a per-database sequence, so a database that
-- is dropped and created again, or a second hub's database on the same Redis and queue prefix,
-- numbers its rows as another database already did, and BullMQ keeps the job it already holds
-- under that id instead of adding the new one. A restored backup or a promoted replica keeps this
-- row and so its identity; the relay notices those rarer collisions and queues the row again.
CREATE TABLE database_instance (
  only_row   boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  -- Lower-case hex: BullMQ job ids may not contain ':'.
  id         text NOT NULL CHECK (id ~ '^[0-9a-f]{12}$'),
  created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO database_instance (id) VALUES (left(replace(gen_random_uuid()::text, '-', ''), 12));
