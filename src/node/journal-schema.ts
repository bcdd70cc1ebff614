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
  // 2: the identity portal's permits (audit: who, from where, which role, when
  // it ended and why) and the decoys in place with every move they made.
  `CREATE TABLE permits (
     id TEXT PRIMARY KEY,
     address TEXT NOT NULL,
     user TEXT NOT NULL,
     role TEXT NOT NULL,
     backend TEXT NOT NULL,
     created_ms INTEGER NOT NULL,
     until_ms INTEGER NOT NULL,
     ended_ms INTEGER,
     end_reason TEXT
   );
   CREATE INDEX permits_address ON permits (address);
   CREATE INDEX permits_until ON permits (until_ms);
   CREATE TABLE decoys (
     id TEXT PRIMARY KEY,
     profile TEXT NOT NULL,
     zone TEXT NOT NULL,
     ip TEXT NOT NULL,
     mac TEXT NOT NULL,
     identity TEXT NOT NULL,
     placed_ms INTEGER NOT NULL
   );
   CREATE TABLE decoy_moves (
     time_ms INTEGER NOT NULL,
     decoy_id TEXT NOT NULL,
     from_ip TEXT,
     to_ip TEXT,
     from_mac TEXT,
     to_mac TEXT,
     reason TEXT NOT NULL
   );
   CREATE INDEX decoy_moves_time ON decoy_moves (time_ms);`,
];
