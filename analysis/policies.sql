-- The policies side by side (scenarios/policies-shock.sweep, or any sweep
-- that varies web.policy, with or without clients.shock): for each shock
-- and policy, the flash-crowd site's success ratio and 90th percentile of
-- page times, as means with the half-width of their 95% confidence
-- interval over the replications (Student t), and each one's difference
-- from coop's in the same replication (the same site and the same
-- clients: a paired comparison, whose interval is much narrower than the
-- two means' intervals).  A difference whose interval excludes 0 is
-- beyond noise.  Columns: shock; policy; n; success; ±; p90 (s); ±;
-- success - coop; ±; p90 - coop (s); ±.
WITH runs AS (
  SELECT r.id, r.replication,
         (SELECT value FROM param WHERE run_id = r.id AND name = 'web.policy') AS policy,
         coalesce((SELECT value FROM param WHERE run_id = r.id AND name = 'clients.shock'),
                  '-') AS shock
  FROM run r WHERE r.status = 'done'
),
m AS (
  SELECT runs.*,
         (SELECT value FROM scalar WHERE run_id = runs.id AND entity = 'site.0'
            AND name = 'success_ratio') AS success,
         (SELECT p90 FROM statistic WHERE run_id = runs.id AND entity = 'site.0'
            AND name = 'page_time_s') AS p90
  FROM runs WHERE policy IS NOT NULL
),
d AS (
  SELECT m.*, m.success - c.success AS d_success, m.p90 - c.p90 AS d_p90
  FROM m LEFT JOIN m c ON c.policy = 'coop' AND c.shock = m.shock
    AND c.replication = m.replication
),
g AS (
  SELECT shock, policy, count(*) AS n,
         avg(success) AS s, avg(success * success) AS s2,
         avg(p90) AS p, avg(p90 * p90) AS p2,
         avg(d_success) AS ds, avg(d_success * d_success) AS ds2,
         avg(d_p90) AS dp, avg(d_p90 * d_p90) AS dp2
  FROM d GROUP BY shock, policy
)
SELECT g.shock, g.policy, g.n,
       printf('%.3f', s), printf('%.3f', q975 * sqrt(max(s2 - s * s, 0) * n / (n - 1) / n)),
       printf('%.2f', p), printf('%.2f', q975 * sqrt(max(p2 - p * p, 0) * n / (n - 1) / n)),
       printf('%+.3f', ds), printf('%.3f', q975 * sqrt(max(ds2 - ds * ds, 0) * n / (n - 1) / n)),
       printf('%+.2f', dp), printf('%.2f', q975 * sqrt(max(dp2 - dp * dp, 0) * n / (n - 1) / n))
FROM g JOIN t_quantile t ON t.df = g.n - 1
ORDER BY CASE g.shock WHEN '-' THEN 0 ELSE g.shock + 0 END,
         CASE g.policy WHEN 'none' THEN 0 WHEN 'redirect' THEN 1 WHEN 'backslash' THEN 2
                       WHEN 'dotslash' THEN 3 WHEN 'coop' THEN 4 ELSE 5 END;
