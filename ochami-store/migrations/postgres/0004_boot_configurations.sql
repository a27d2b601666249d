-- Boot configurations written through boot-service (/boot-service/bootconfigurations), the
-- superset boot model: selectors by MAC, host (xname or pattern), NID and group, a priority,
-- kernel, initrd, params. BSS rows written before (and through /boot/v1 since) stay in
-- boot_params unchanged: each is a configuration with one selector, read as such, so no data
-- moves and every BSS row still serves.
CREATE TABLE boot_configurations (
    uid         TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    spec        JSONB NOT NULL,
    labels      JSONB NOT NULL,
    annotations JSONB NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    -- No selector at all: it applies to every known node.
    catch_all   BOOLEAN NOT NULL
);

-- The selectors of each configuration, so a node's candidates are index look-ups. kind
-- 'pattern' holds hosts entries ending in '*' (matched in the resolution, not here).
CREATE TABLE boot_selectors (
    kind  TEXT NOT NULL CHECK (kind IN ('mac', 'host', 'pattern', 'nid', 'group')),
    value TEXT NOT NULL,
    uid   TEXT NOT NULL REFERENCES boot_configurations (uid) ON DELETE CASCADE,
    PRIMARY KEY (kind, value, uid)
);
CREATE INDEX boot_selectors_uid ON boot_selectors (uid);
