-- The default flash crowd behind ISP links shared with Winny traffic
-- (scenarios/winny/flash-under-winny.sweep): for each policy, with and
-- without the Winny peers, the mean over the replications of site 0's
-- success ratio and page-time median and 90th percentile, each with its
-- 95% confidence interval (Student t) and the number of runs.
-- Columns: policy index (1 none, 2 redirect, 3 coop), policy, winny
-- (false/true), then mean, ci95 and n of success, p50 (s) and p90 (s).
WITH pts AS (
  SELECT r.id, pp.value AS policy, pw.value AS winny
  FROM run r
  JOIN param pp ON pp.run_id = r.id AND pp.name = 'web.policy'
  JOIN param pw ON pw.run_id = r.id AND pw.name = 'winny.enabled'
  WHERE r.status = 'done' AND r.scenario = 'flash-under-winny'
),
vals AS (
  SELECT policy, winny, 'success' AS what, s.value AS v
  FROM pts JOIN scalar s ON s.run_id = pts.id AND s.entity = 'site.0' AND s.name = 'success_ratio'
  UNION ALL
  SELECT policy, winny, 'p50', st.p50
  FROM pts JOIN statistic st ON st.run_id = pts.id AND st.entity = 'site.0' AND st.name = 'page_time_s'
  UNION ALL
  SELECT policy, winny, 'p90', st.p90
  FROM pts JOIN statistic st ON st.run_id = pts.id AND st.entity = 'site.0' AND st.name = 'page_time_s'
),
moments AS (
  SELECT policy, winny, what, avg(v) AS m, count(v) AS n, sum(v * v) AS s2
  FROM vals GROUP BY policy, winny, what
),
agg AS (
  SELECT policy, winny, what, m, n,
         CASE WHEN n > 1 THEN
           t.q975 * sqrt(max(s2 - n * m * m, 0) / (n - 1) / n)
         END AS ci
  FROM moments LEFT JOIN t_quantile t ON t.df = min(n - 1, 1000)
)
SELECT CASE a.policy WHEN 'none' THEN 1 WHEN 'redirect' THEN 2 WHEN 'coop' THEN 3 END AS x,
       a.policy, a.winny,
       a.m, coalesce(a.ci, 0), a.n, b.m, coalesce(b.ci, 0), b.n, c.m, coalesce(c.ci, 0), c.n
FROM agg a
JOIN agg b ON b.policy = a.policy AND b.winny = a.winny AND b.what = 'p50'
JOIN agg c ON c.policy = a.policy AND c.winny = a.winny AND c.what = 'p90'
WHERE a.what = 'success'
ORDER BY x, a.winny;
