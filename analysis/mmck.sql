-- Response time of the M/M/1 station against load: one row per run, the
-- simulated value beside the closed-form one.  Columns: load, simulated
-- mean response (s), theoretical mean response (s), simulated loss ratio.
SELECT CAST(substr(r.params, instr(r.params, 'arrival_rate=') + 13) AS REAL) AS load,
       s.value AS sim_response_s,
       t.value AS theory_response_s,
       l.value AS sim_loss
FROM run r
JOIN scalar s ON s.run_id = r.id AND s.entity = 'station' AND s.name = 'mean_response_s'
JOIN scalar t ON t.run_id = r.id AND t.entity = 'theory' AND t.name = 'mean_response_s'
JOIN scalar l ON l.run_id = r.id AND l.entity = 'station' AND l.name = 'loss_ratio'
WHERE r.scenario = 'mmck' AND r.status = 'done'
ORDER BY load;
