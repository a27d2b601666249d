-- A number that moves with every hardware write, so a server can keep rendered hardware
-- answers (a type across the machine is tens of megabytes) and know, with one read of one
-- row, whether they still hold; every server on this database sees the same number.
--
-- It moves once per writing transaction, at its commit, and so is committed exactly when
-- the records are. A statement trigger on `hardware` marks the transaction (one row per
-- transaction in `hardware_touched`, no lock shared with other writers); a deferred
-- constraint trigger on that mark moves the number at commit. Moving it at commit, not
-- at the statement, keeps the one shared row locked only while committing: no two writers
-- can deadlock through it. They do take turns on it, so concurrent hardware writes commit
-- one after another (each waits for the previous one's commit to be flushed). (`txid_current()`, not `pg_current_xact_id()`: PostgreSQL 12.)
CREATE TABLE hardware_generation (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    n   BIGINT NOT NULL
);
INSERT INTO hardware_generation (one, n) VALUES (1, 0);

CREATE TABLE hardware_touched (
    tx BIGINT PRIMARY KEY
);

CREATE FUNCTION hardware_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO hardware_touched (tx) VALUES (txid_current()) ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;

CREATE FUNCTION hardware_generation_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE hardware_generation SET n = n + 1;
    DELETE FROM hardware_touched WHERE tx = NEW.tx;
    RETURN NULL;
END
$$;

CREATE TRIGGER hardware_touch AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON hardware
    FOR EACH STATEMENT EXECUTE FUNCTION hardware_touch();

CREATE CONSTRAINT TRIGGER hardware_generation_move AFTER INSERT ON hardware_touched
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION hardware_generation_move();
