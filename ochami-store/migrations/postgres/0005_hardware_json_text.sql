-- Hardware records are kept as the exact JSON text they were written with (`json`, not
-- `jsonb`): the list and tree routes join the stored text into their answers without
-- decoding a record, and `jsonb` would re-order keys and add spaces. Nothing queries
-- inside the payload: SMD's filters have columns of their own.
ALTER TABLE hardware ALTER COLUMN payload TYPE json USING payload::json;

-- `Query/{xname}` selects a subtree by id prefix (`id LIKE 'x1000c0%'`); a btree in the
-- default collation cannot answer LIKE unless that collation is C, this one always can.
CREATE INDEX hardware_id_prefix ON hardware (id text_pattern_ops);
