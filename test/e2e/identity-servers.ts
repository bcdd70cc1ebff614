// The private slapd and freeradius of the portal tests live in
// src/lab/identity-servers.ts so the portal-backends benchmark can start them
// too; re-exported here for the end-to-end tests.

export * from '../../src/lab/identity-servers.js';
