-- PCS power transitions and their per-xname tasks, so a transition outlives the server that
-- ran it. `heartbeat` (milliseconds since the epoch) is refreshed while a server runs it; an
-- unfinished transition whose heartbeat stopped is ended as abandoned.
CREATE TABLE power_transitions (
    id          TEXT PRIMARY KEY NOT NULL,
    operation   TEXT NOT NULL,
    status      TEXT NOT NULL,
    create_time TEXT NOT NULL,
    expire_time TEXT NOT NULL,
    heartbeat   BIGINT NOT NULL
);
CREATE INDEX power_transitions_status ON power_transitions (status);
CREATE TABLE power_tasks (
    transition_id TEXT NOT NULL REFERENCES power_transitions (id) ON DELETE CASCADE,
    position      BIGINT NOT NULL,
    xname         TEXT NOT NULL,
    status        TEXT NOT NULL,
    description   TEXT NOT NULL,
    error         TEXT,
    PRIMARY KEY (transition_id, xname)
);
