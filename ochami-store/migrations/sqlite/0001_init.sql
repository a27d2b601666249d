-- ochami schema version 1 (SQLite). Domain values are stored in their wire spelling
-- (xnames normalized, enums canonical, MACs lower-case); nested Redfish data is JSON text.

CREATE TABLE components (
    id                   TEXT PRIMARY KEY NOT NULL,
    type                 TEXT NOT NULL,
    state                TEXT,
    flag                 TEXT,
    enabled              INTEGER NOT NULL DEFAULT 1,
    software_status      TEXT,
    role                 TEXT,
    sub_role             TEXT,
    nid                  INTEGER,
    subtype              TEXT,
    net_type             TEXT,
    arch                 TEXT,
    class                TEXT,
    reservation_disabled INTEGER NOT NULL DEFAULT 0,
    locked               INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE UNIQUE INDEX components_nid ON components (nid) WHERE nid IS NOT NULL;
CREATE INDEX components_role_state ON components (role, state);
CREATE INDEX components_state ON components (state);
CREATE INDEX components_type ON components (type);

CREATE TABLE redfish_endpoints (
    id                     TEXT PRIMARY KEY NOT NULL,
    type                   TEXT NOT NULL,
    name                   TEXT NOT NULL DEFAULT '',
    hostname               TEXT NOT NULL DEFAULT '',
    domain                 TEXT NOT NULL DEFAULT '',
    fqdn                   TEXT NOT NULL,
    enabled                INTEGER NOT NULL DEFAULT 1,
    uuid                   TEXT NOT NULL DEFAULT '',
    username               TEXT NOT NULL DEFAULT '',
    password               TEXT NOT NULL DEFAULT '',
    use_ssdp               INTEGER NOT NULL DEFAULT 0,
    mac_required           INTEGER NOT NULL DEFAULT 0,
    mac_addr               TEXT,
    ip_address             TEXT NOT NULL DEFAULT '',
    rediscover_on_update   INTEGER NOT NULL DEFAULT 0,
    template_id            TEXT NOT NULL DEFAULT '',
    last_discovery_attempt TEXT NOT NULL DEFAULT '',
    last_discovery_status  TEXT NOT NULL DEFAULT '',
    redfish_version        TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE UNIQUE INDEX redfish_endpoints_fqdn ON redfish_endpoints (fqdn);

CREATE TABLE component_endpoints (
    id                  TEXT PRIMARY KEY NOT NULL,
    type                TEXT NOT NULL,
    redfish_endpoint_id TEXT NOT NULL,
    redfish_type        TEXT NOT NULL,
    payload             TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX component_endpoints_redfish_endpoint ON component_endpoints (redfish_endpoint_id);

-- id is the MAC without separators (SMD's EthernetInterface ID).
CREATE TABLE ethernet_interfaces (
    id           TEXT PRIMARY KEY NOT NULL,
    mac_address  TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    last_update  TEXT NOT NULL DEFAULT '',
    component_id TEXT,
    type         TEXT,
    ip_addresses TEXT NOT NULL DEFAULT '[]'
) WITHOUT ROWID;
CREATE INDEX ethernet_interfaces_component ON ethernet_interfaces (component_id);

-- The IPs again, one row each, for lookups by IP and network.
CREATE TABLE ethernet_interface_ips (
    interface_id TEXT NOT NULL REFERENCES ethernet_interfaces (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    ip_address   TEXT NOT NULL,
    network      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (interface_id, position)
) WITHOUT ROWID;
CREATE INDEX ethernet_interface_ips_ip ON ethernet_interface_ips (ip_address);
CREATE INDEX ethernet_interface_ips_network ON ethernet_interface_ips (network);

CREATE TABLE hardware (
    id      TEXT PRIMARY KEY NOT NULL,
    type    TEXT NOT NULL,
    payload TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX hardware_type ON hardware (type);

-- Groups and partitions share one table, told apart by kind.
CREATE TABLE component_groups (
    kind            TEXT NOT NULL CHECK (kind IN ('group', 'partition')),
    name            TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    exclusive_group TEXT NOT NULL DEFAULT '',
    tags            TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (kind, name)
) WITHOUT ROWID;

-- namespace is 'g:<label>' for a shared group, 'x:<exclusiveGroup>' for an exclusive one and
-- 'p:' for partitions, so UNIQUE (component_id, namespace) enforces SMD's rules: one group per
-- exclusive group, one partition per component.
CREATE TABLE group_members (
    kind         TEXT NOT NULL,
    name         TEXT NOT NULL,
    component_id TEXT NOT NULL REFERENCES components (id) ON DELETE CASCADE,
    namespace    TEXT NOT NULL,
    PRIMARY KEY (kind, name, component_id),
    FOREIGN KEY (kind, name) REFERENCES component_groups (kind, name) ON DELETE CASCADE,
    UNIQUE (component_id, namespace)
) WITHOUT ROWID;

-- BSS boot parameters, one row per name: kind is 'host' (xname or tag), 'mac' or 'nid'.
CREATE TABLE boot_params (
    kind       TEXT NOT NULL CHECK (kind IN ('host', 'mac', 'nid')),
    name       TEXT NOT NULL,
    kernel     TEXT NOT NULL DEFAULT '',
    initrd     TEXT NOT NULL DEFAULT '',
    params     TEXT NOT NULL DEFAULT '',
    cloud_init TEXT NOT NULL,
    PRIMARY KEY (kind, name)
) WITHOUT ROWID;

CREATE TABLE endpoint_access (
    name       TEXT NOT NULL,
    endpoint   TEXT NOT NULL,
    last_epoch INTEGER NOT NULL,
    PRIMARY KEY (name, endpoint)
) WITHOUT ROWID;

CREATE TABLE cloud_init_groups (
    name    TEXT PRIMARY KEY NOT NULL,
    payload TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE cloud_init_nodes (
    id      TEXT PRIMARY KEY NOT NULL,
    payload TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE cloud_init_defaults (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    payload TEXT NOT NULL
);
