-- Seed 002 §3's figures from runs of the key index model
-- (run.model = winny-index), for the runs named in a temporary table
-- sel(run_id); tools/winny-index-figures.sh draws them.
--
-- fig10_ttl: the largest TTL the survey peer found for each file at each
--   of its queries (s), with the run's index.leak and control_start.
-- fig13_download: per number of poisoning threads, over the runs: the
--   downloads that completed and their share, the mean over the runs of
--   each run's share with its 95% confidence half-width (Student t), and
--   the mean, least and largest time of the completed downloads (s).

CREATE TEMP VIEW fig10_ttl AS
SELECT v.run_id,
       coalesce((SELECT num FROM param WHERE run_id = v.run_id AND name = 'index.leak'), 0) AS leak,
       coalesce((SELECT num FROM param WHERE run_id = v.run_id AND name = 'index.control_start'), 0)
         AS control_start_s,
       d.t_ns / 1e9 AS t_s,
       d.value AS ttl_s
FROM vector v
JOIN vector_data d ON d.vector_id = v.id
WHERE v.run_id IN (SELECT run_id FROM sel)
  AND v.entity = 'survey' AND v.name = 'ttl';

CREATE TEMP VIEW fig13_run AS
SELECT r.id AS run_id,
       coalesce((SELECT num FROM param WHERE run_id = r.id AND name = 'index.threads'), 0) AS threads,
       (SELECT value FROM scalar WHERE run_id = r.id AND entity = 'download' AND name = 'done') AS done,
       (SELECT value FROM scalar WHERE run_id = r.id AND entity = 'download' AND name = 'missing') AS missing,
       s.sum AS time_sum, s.min AS time_min, s.max AS time_max
FROM run r
LEFT JOIN statistic s ON s.run_id = r.id AND s.entity = 'download' AND s.name = 'time_s'
WHERE r.id IN (SELECT run_id FROM sel) AND r.status = 'done';

CREATE TEMP VIEW fig13_download AS
WITH per AS (
  SELECT threads, done, done + missing AS tried, done / (done + missing) AS share,
         time_sum, time_min, time_max
  FROM fig13_run WHERE done + missing > 0),
m AS (
  SELECT threads, count(*) AS runs, sum(done) AS done, sum(tried) AS tried,
         avg(share) AS share, sum(time_sum) AS time_sum,
         min(time_min) AS time_min, max(time_max) AS time_max
  FROM per GROUP BY threads)
SELECT m.threads, m.runs, m.done, m.tried, m.share,
       CASE WHEN m.runs > 1 THEN
         sqrt((SELECT sum((p.share - m.share) * (p.share - m.share)) FROM per p
               WHERE p.threads = m.threads) / (m.runs - 1)) / sqrt(m.runs) *
         (SELECT q975 FROM t_quantile WHERE df = min(m.runs - 1, 1000))
       END AS share_ci95,
       CASE WHEN m.done > 0 THEN m.time_sum / m.done END AS time_mean_s,
       m.time_min AS time_min_s, m.time_max AS time_max_s
FROM m;
