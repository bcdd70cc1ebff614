// The journal's schema as a list of migrations: migration N (1-based) takes a
// file from schema version N-1 to N. Append only; never edit a shipped one.
// Pure data.

/** SQL of each migration, in order. */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE schema_version (version INTEGER NOT NULL);
   CREATE TABLE detections (
     id TEXT PRIMARY KEY,
     seq INTEGER NOT NULL,
     node TEXT NOT NULL,
     kind TEXT NOT NULL,
     severity TEXT NOT NULL,
     first_ms INTEGER NOT NULL,
     last_ms INTEGER NOT NULL,
     count INTEGER NOT NULL,
     source TEXT NOT NULL,
     target TEXT,
     evidence TEXT NOT NULL,
     producer TEXT NOT NULL,
     action TEXT NOT NULL,
     reason TEXT NOT NULL
   );
   CREATE INDEX detections_seq ON detections (seq);
   CREATE INDEX detections_last ON detections (last_ms);
   CREATE TABLE actions (
     time_ms INTEGER NOT NULL,
     type TEXT NOT NULL,
     address TEXT NOT NULL,
     reason TEXT NOT NULL,
     producer TEXT NOT NULL,
     detection_id TEXT
   );
   CREATE INDEX actions_time ON actions (time_ms);
   CREATE TABLE quarantine (
     address TEXT PRIMARY KEY,
     until_ms INTEGER NOT NULL,
     reason TEXT NOT NULL,
     detection_id TEXT,
     created_ms INTEGER NOT NULL
   );`,
];
