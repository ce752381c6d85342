-- The relay's claim, run after every intake, looks for outbox rows no job has been queued for
-- yet. Under load the rest of the pending set (relayed rows waiting in the queue or being sent)
-- is thousands of rows, and with only `outbox_pending` every claim walked all of them: 16 ms a
-- claim, a quarter of PostgreSQL's time during an intake burst. Rows whose relay lease ran out
-- (a job Redis lost) are still found through `outbox_pending`, by a sweep the relay runs at its
-- poll interval rather than on every wake.
CREATE INDEX outbox_unrelayed ON outbox (available_at) WHERE done_at IS NULL AND relayed_at IS NULL;
