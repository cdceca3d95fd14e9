-- The origin and its flash crowd over time, per policy (replication 0 of
-- each point of the default sweep).  Columns: time (s); policy; origin
-- load (the largest of busy workers, waiting connections and uplink use
-- over their limits, smoothed, as the origin's node sees it; for policy
-- none, busy workers over the limit); origin uplink use; page success
-- ratio at the flash-crowd site over the interval; pages completed per
-- second there.
WITH runs AS (
  SELECT r.id, p.value AS policy
  FROM run r JOIN param p ON p.run_id = r.id AND p.name = 'web.policy'
  WHERE r.status = 'done' AND r.replication = 0 AND r.scenario = 'default'
),
series AS (
  SELECT runs.policy, v.entity || '.' || v.name AS what, d.t_ns, d.value
  FROM runs JOIN vector v ON v.run_id = runs.id
  JOIN vector_data d ON d.vector_id = v.id
  WHERE (v.entity = 'server.0' AND v.name IN ('load', 'uplink_use'))
     OR (v.entity = 'site.0' AND v.name IN ('success_ratio', 'pages_ok'))
),
wide AS (
  SELECT policy, t_ns,
         max(CASE WHEN what = 'server.0.load' THEN value END) AS origin_load,
         max(CASE WHEN what = 'server.0.uplink_use' THEN value END) AS origin_uplink,
         max(CASE WHEN what = 'site.0.success_ratio' THEN value END) AS success_ratio,
         max(CASE WHEN what = 'site.0.pages_ok' THEN value END) AS pages_ok
  FROM series GROUP BY policy, t_ns
)
SELECT t_ns / 1e9 AS t_s, policy, origin_load, origin_uplink, success_ratio,
       pages_ok / ((t_ns - coalesce(lag(t_ns) OVER (PARTITION BY policy ORDER BY t_ns), 0))
                   / 1e9) AS pages_per_s
FROM wide
ORDER BY policy, t_s;
