-- Hardware by location for every part (processors, DIMMs, accelerators, drives, NICs,
-- enclosures), with the FRU fields SMD filters on as lowercased match keys and the owning
-- node, so filters and a node's part replacement run in SQL.
ALTER TABLE hardware ADD COLUMN fru_id TEXT;
ALTER TABLE hardware ADD COLUMN manufacturer TEXT;
ALTER TABLE hardware ADD COLUMN part_number TEXT;
ALTER TABLE hardware ADD COLUMN serial_number TEXT;
ALTER TABLE hardware ADD COLUMN node TEXT;
-- Before this version only node records existed.
UPDATE hardware SET
    fru_id = lower(payload->'PopulatedFRU'->>'FRUID'),
    manufacturer = lower(payload->'PopulatedFRU'->'NodeFRUInfo'->>'Manufacturer'),
    part_number = lower(payload->'PopulatedFRU'->'NodeFRUInfo'->>'PartNumber'),
    serial_number = lower(payload->'PopulatedFRU'->'NodeFRUInfo'->>'SerialNumber')
WHERE type = 'Node';
CREATE INDEX hardware_fru_id ON hardware (fru_id);
CREATE INDEX hardware_serial_number ON hardware (serial_number);
CREATE INDEX hardware_node ON hardware (node);
