-- Who carries the flash crowd and where the site's copies are, over time,
-- under the proposed policy (replication 0 of the default sweep's coop
-- point).  Columns: time (s); megabits per second sent by the origin over
-- HTTP and into the swarms, by the cooperators over HTTP and into the
-- swarms, and by BitTorrent clients into the swarms; servers holding some
-- of site 0 (the origin included while up); clients holding all of it;
-- seeds and leechers in its swarms.
WITH runs AS (
  SELECT r.id
  FROM run r JOIN param p ON p.run_id = r.id AND p.name = 'web.policy'
  WHERE r.status = 'done' AND r.replication = 0 AND r.scenario = 'default'
    AND p.value = 'coop'
),
series AS (
  SELECT v.entity || '.' || v.name AS what, d.t_ns, d.value
  FROM runs JOIN vector v ON v.run_id = runs.id
  JOIN vector_data d ON d.vector_id = v.id
  WHERE v.name IN ('http_bytes', 'bt_bytes', 'replicas_servers', 'replicas_clients',
                   'swarm_seeds', 'swarm_leechers')
),
wide AS (
  SELECT t_ns,
         max(CASE WHEN what = 'origin.http_bytes' THEN value END) AS origin_http,
         max(CASE WHEN what = 'origin.bt_bytes' THEN value END) AS origin_bt,
         max(CASE WHEN what = 'cooperators.http_bytes' THEN value END) AS coop_http,
         max(CASE WHEN what = 'cooperators.bt_bytes' THEN value END) AS coop_bt,
         max(CASE WHEN what = 'clients.bt_bytes' THEN value END) AS clients_bt,
         max(CASE WHEN what = 'site.0.replicas_servers' THEN value END) AS servers,
         max(CASE WHEN what = 'site.0.replicas_clients' THEN value END) AS clients,
         max(CASE WHEN what = 'site.0.swarm_seeds' THEN value END) AS seeds,
         max(CASE WHEN what = 'site.0.swarm_leechers' THEN value END) AS leechers
  FROM series GROUP BY t_ns
),
timed AS (
  SELECT *, (t_ns - coalesce(lag(t_ns) OVER (ORDER BY t_ns), 0)) / 1e9 AS dt FROM wide
)
SELECT t_ns / 1e9 AS t_s,
       8 * origin_http / dt / 1e6, 8 * origin_bt / dt / 1e6,
       8 * coop_http / dt / 1e6, 8 * coop_bt / dt / 1e6, 8 * clients_bt / dt / 1e6,
       servers, clients, seeds, leechers
FROM timed
ORDER BY t_s;
