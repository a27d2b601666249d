-- A number that moves with every hardware write, so a server can keep rendered hardware
-- answers (a type across the machine is tens of megabytes) and know, with one read of one
-- row, whether they still hold. Triggers move it in the writer's own transaction: it is
-- committed exactly when the records are, whoever wrote them. SQLite has no statement
-- triggers; a row trigger costs about a microsecond a record on a bulk write.
CREATE TABLE hardware_generation (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    n   INTEGER NOT NULL
);
INSERT INTO hardware_generation (one, n) VALUES (1, 0);
CREATE TRIGGER hardware_generation_insert AFTER INSERT ON hardware
BEGIN
    UPDATE hardware_generation SET n = n + 1;
END;
CREATE TRIGGER hardware_generation_update AFTER UPDATE ON hardware
BEGIN
    UPDATE hardware_generation SET n = n + 1;
END;
CREATE TRIGGER hardware_generation_delete AFTER DELETE ON hardware
BEGIN
    UPDATE hardware_generation SET n = n + 1;
END;
