CREATE OR REPLACE FUNCTION mq_insert(a int, b text) RETURNS void AS $body$
BEGIN
  INSERT INTO mq_msgs (a, b) VALUES (a, b) ON CONFLICT (a) DO UPDATE SET b = EXCLUDED.b;
  IF a > 1 THEN UPDATE mq_msgs SET b = 'x' WHERE a = 1; END IF;
  PERFORM other_fn(a);
END;
$body$ LANGUAGE plpgsql;
CREATE PROCEDURE archive(p int) LANGUAGE sql AS 'DELETE FROM orders WHERE id = p';
DROP FUNCTION IF EXISTS mq_insert(int, text), other_fn;
SELECT * FROM mq_poll($1, 1); CALL archive($1);
