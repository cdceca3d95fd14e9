-- Mean response time of the M/M/1 station against load, per sweep point:
-- load, simulated mean over the replications, its 95% confidence
-- half-width, replications, and the closed-form value.
SELECT CAST(p.value AS REAL) AS load,
       s.mean AS sim_response_s,
       s.ci95 AS ci95_s,
       s.n AS replications,
       t.mean AS theory_response_s
FROM point_scalar s
JOIN point_param p ON p.point_key = s.point_key AND p.name = 'mmck.arrival_rate'
JOIN point_scalar t ON t.point_key = s.point_key
     AND t.entity = 'theory' AND t.name = 'mean_response_s'
WHERE s.entity = 'station' AND s.name = 'mean_response_s'
ORDER BY load;
