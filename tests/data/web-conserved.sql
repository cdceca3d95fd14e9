-- 1 when a web run's sessions all ended or are in progress, and the network
-- delivered exactly what the servers and the swarms sent.
SELECT (SELECT sum(value) FROM scalar WHERE name = 'sessions')
  - (SELECT sum(value) FROM scalar WHERE name IN ('pages_ok', 'pages_impatient', 'pages_no_server', 'pages_not_found'))
  - (SELECT value FROM scalar WHERE name = 'sessions_in_progress') = 0
  AND (SELECT value FROM scalar WHERE entity = 'all' AND name = 'bytes_delivered')
  - (SELECT sum(value) FROM scalar WHERE name IN ('bytes_sent', 'bt_bytes_sent')) = 0;
