-- The provisioning queue's indexes follow the work, not the week of finished jobs (issue 10:
-- one change cost 1.6× more at 9,000 subscriptions than at 10 on PostgreSQL).
--
-- `provision_jobs_queue (state, run_after, created_at)` made the per-batch prune
-- (`state = 'done' AND updated_at < $1`) read every done job kept for the week and check its
-- `updated_at` in the table, and the claim visit every pending/running entry of the index
-- (on PostgreSQL also the dead ones a full run leaves until vacuum, through a bitmap scan
-- that never marks them dead). Instead:
--
-- * the claim reads a partial index of the jobs still to do, in its own order
--   (`ORDER BY created_at, id`), and stops at its LIMIT: an index scan, which also marks
--   dead entries so the next claim skips them;
-- * the prune and the list of done or failed jobs read partial indexes by `updated_at`:
--   the prune touches only the jobs it deletes.
DROP INDEX provision_jobs_queue;
CREATE INDEX provision_jobs_due ON provision_jobs (created_at, id)
    WHERE state IN ('pending', 'running');
CREATE INDEX provision_jobs_done ON provision_jobs (updated_at, id) WHERE state = 'done';
CREATE INDEX provision_jobs_failed ON provision_jobs (updated_at, id) WHERE state = 'failed';
