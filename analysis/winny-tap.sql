-- Seed 002 §2-2 recomputed from the flow log of a run, as the seed
-- computed it from its capture: by flow size and direction, not by the
-- model's labels.  Needs the temporary table sel(run_id) naming the run(s)
-- first.  Winny flows are app = 'winny' (the identification of §2-1 is the
-- ground truth here).
--   tap_flow(...)                            the seed's flows, below
--   fig5_ccdf(dir, bytes, ccdf)              Fig. 5
--   fig6_gap(class, dir, gap_s, cdf)         Fig. 6
--   fig6_ks(d, d_crit_1pct)                  Fig. 6, search flows in against out
--   fig7_rank(way, share_peers, share_bytes) Fig. 7
--   winny_check(name, value)                 the numbers the seed reports
-- With more than one run in sel, the figures pool them; select one run for
-- the seed's figures.

-- The seed's flows (§2-2-1): a TCP connection seen at the tap is two
-- flows, one each way (same source and destination address and port),
-- from SYN to FIN; a way with no packet is no flow.  dir is 'out' when the
-- flow leaves the stub network (towards the Internet), 'in' when it enters
-- it; inside_ip is the end of the connection inside the stub network.
CREATE TEMP TABLE tap_flow AS
SELECT run_id, seq, start_ns, end_ns, tap, app, kind,
       CASE WHEN a_inside THEN 'out' ELSE 'in' END AS dir,
       bytes_ab AS bytes, a_ip AS src_ip, a_port AS src_port,
       b_ip AS dst_ip, b_port AS dst_port,
       CASE WHEN a_inside THEN a_ip ELSE b_ip END AS inside_ip,
       CASE WHEN a_inside THEN b_ip ELSE a_ip END AS outside_ip,
       packets_ba > 0 AS answered
FROM flow_log WHERE run_id IN (SELECT run_id FROM sel) AND packets_ab > 0
UNION ALL
SELECT run_id, seq, start_ns, end_ns, tap, app, kind,
       CASE WHEN a_inside THEN 'in' ELSE 'out' END,
       bytes_ba, b_ip, b_port, a_ip, a_port,
       CASE WHEN a_inside THEN a_ip ELSE b_ip END,
       CASE WHEN a_inside THEN b_ip ELSE a_ip END,
       1
FROM flow_log WHERE run_id IN (SELECT run_id FROM sel) AND packets_ba > 0;

CREATE TEMP TABLE wflow AS SELECT * FROM tap_flow WHERE app = 'winny';
CREATE INDEX temp.wflow_inside ON wflow (inside_ip);

-- Fig. 5: P(size > x) at every size seen, per direction.
CREATE TEMP VIEW fig5_ccdf AS
SELECT dir, bytes,
       1.0 - CAST(cume_dist() OVER (PARTITION BY dir ORDER BY bytes) AS REAL) AS ccdf
FROM wflow;

-- Fig. 6: inter-arrival of search flows (< 64 KB) and file flows
-- (> 64 KB) at the tap, per direction.
CREATE TEMP VIEW fig6_gap AS
WITH a AS (
  SELECT CASE WHEN bytes > 65536 THEN 'file' ELSE 'search' END AS class, dir,
         start_ns - lag(start_ns) OVER (
           PARTITION BY CASE WHEN bytes > 65536 THEN 'file' ELSE 'search' END, dir
           ORDER BY start_ns, seq) AS gap_ns
  FROM wflow)
SELECT class, dir, gap_ns / 1e9 AS gap_s,
       CAST(cume_dist() OVER (PARTITION BY class, dir ORDER BY gap_ns) AS REAL) AS cdf
FROM a WHERE gap_ns IS NOT NULL;

-- Fig. 7: inside peers ranked by bytes uploaded (out) or downloaded (in),
-- largest first: the share of peers against the share of the bytes.  The
-- peers are those seen active at the tap (a connection with packets both
-- ways), as the seed's 72 were the ones its identification found.
CREATE TEMP VIEW fig7_peer AS
SELECT inside_ip,
       sum(CASE WHEN dir = 'out' THEN bytes ELSE 0 END) AS up,
       sum(CASE WHEN dir = 'in' THEN bytes ELSE 0 END) AS down
FROM wflow
WHERE inside_ip IN (SELECT inside_ip FROM wflow WHERE answered)
GROUP BY inside_ip;
CREATE TEMP VIEW fig7_rank AS
SELECT 'upload' AS way,
       CAST(row_number() OVER (ORDER BY up DESC, inside_ip) AS REAL) /
         (SELECT count(*) FROM fig7_peer) AS share_peers,
       sum(up) OVER (ORDER BY up DESC, inside_ip) * 1.0 /
         (SELECT sum(up) FROM fig7_peer) AS share_bytes
FROM fig7_peer
UNION ALL
SELECT 'download',
       CAST(row_number() OVER (ORDER BY down DESC, inside_ip) AS REAL) /
         (SELECT count(*) FROM fig7_peer),
       sum(down) OVER (ORDER BY down DESC, inside_ip) * 1.0 /
         (SELECT sum(down) FROM fig7_peer)
FROM fig7_peer;

-- The two-sample Kolmogorov-Smirnov statistic of the search flows'
-- inter-arrival, in against out, and its 1% critical value.
CREATE TEMP VIEW fig6_ks AS
WITH g AS (SELECT dir, gap_s FROM fig6_gap WHERE class = 'search'),
n AS (SELECT sum(dir = 'in') AS nin, sum(dir = 'out') AS nout FROM g),
c AS (SELECT gap_s,
             sum(dir = 'in') OVER w AS cin, sum(dir = 'out') OVER w AS cout
      FROM g WINDOW w AS (ORDER BY gap_s RANGE UNBOUNDED PRECEDING))
SELECT max(abs(cin * 1.0 / nin - cout * 1.0 / nout)) AS d,
       1.628 * sqrt((nin + nout) * 1.0 / (nin * nout)) AS d_crit_1pct
FROM c, n;

CREATE TEMP VIEW winny_check AS
SELECT 'le150_' || dir AS name, avg(bytes <= 150) AS value FROM wflow GROUP BY dir
UNION ALL
SELECT 'lt64k_' || dir, avg(bytes < 65536) FROM wflow GROUP BY dir
UNION ALL
SELECT 'bytes_gt64k_' || dir,
       sum(CASE WHEN bytes > 65536 THEN bytes ELSE 0 END) * 1.0 / sum(bytes)
FROM wflow GROUP BY dir
UNION ALL
SELECT 'file_flows_out_per_in',
       sum(dir = 'out' AND bytes > 65536) * 1.0 / sum(dir = 'in' AND bytes > 65536)
FROM wflow
UNION ALL
SELECT 'ks_search_d_over_crit', d / d_crit_1pct FROM fig6_ks
UNION ALL
SELECT 'top20_upload', max(share_bytes) FROM fig7_rank
WHERE way = 'upload' AND share_peers <= 0.2 + 1e-9
UNION ALL
SELECT 'top40_download', max(share_bytes) FROM fig7_rank
WHERE way = 'download' AND share_peers <= 0.4 + 1e-9
UNION ALL
SELECT 'winny_share_flows',
       (SELECT count(*) FROM wflow) * 1.0 /
       (SELECT count(*) FROM tap_flow)
UNION ALL
SELECT 'winny_share_bytes',
       (SELECT sum(bytes) FROM wflow) * 1.0 /
       (SELECT sum(bytes) FROM tap_flow)
UNION ALL
SELECT 'active_inside_peers', count(*) FROM fig7_peer
UNION ALL
SELECT 'partners_per_peer_hour',
       avg(n) / ((SELECT max(end_ns) - min(start_ns) FROM wflow) / 3.6e12)
FROM (SELECT inside_ip, count(DISTINCT outside_ip) AS n FROM wflow
      WHERE inside_ip IN (SELECT inside_ip FROM fig7_peer) GROUP BY inside_ip);
