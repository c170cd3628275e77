UPDATE a JOIN b ON a.id = b.id SET a.x = b.x, b.seen = 1; DELETE u FROM users u JOIN bans b ON b.uid = u.id # c
 SELECT 'it\'s' FROM `T`