-- Hardware records clustered by type: SMD's most common list, one type across the machine
-- (`?type=NodeAccel`: every GPU), becomes one range of the table instead of one look-up per
-- record through a secondary index (at 1,000,000 records that was most of the answer's
-- time). Locations stay unique through their own index, which also answers look-ups by id
-- and subtree prefixes. The type is derived from the id, so the pair is as unique as the id.
CREATE TABLE hardware_by_type (
    type          TEXT NOT NULL,
    id            TEXT NOT NULL,
    payload       TEXT NOT NULL,
    fru_id        TEXT,
    manufacturer  TEXT,
    part_number   TEXT,
    serial_number TEXT,
    node          TEXT,
    PRIMARY KEY (type, id)
) WITHOUT ROWID;
INSERT INTO hardware_by_type (type, id, payload, fru_id, manufacturer, part_number, serial_number, node)
    SELECT type, id, payload, fru_id, manufacturer, part_number, serial_number, node FROM hardware;
DROP TABLE hardware;
ALTER TABLE hardware_by_type RENAME TO hardware;
CREATE UNIQUE INDEX hardware_id ON hardware (id);
CREATE INDEX hardware_fru_id ON hardware (fru_id);
CREATE INDEX hardware_serial_number ON hardware (serial_number);
CREATE INDEX hardware_node ON hardware (node);
