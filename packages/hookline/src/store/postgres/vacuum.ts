import type { PgListenConnection } from './driver.js';
import * as sql from './statements.js';

/**
 * VACUUM hookline's tables that have piled up dead rows, as autovacuum would: for a server that runs without
 * it. Every finished delivery leaves a dead row version in `deliveries`, and its entry in the claim index
 * (`deliveries_due`, pending rows only) stays in front of the live ones until VACUUM removes it: measured
 * on a copy of that index with a million finished deliveries, the next-due check took 12 ms (176 ms the
 * first time) instead of 0.6, growing with every delivery, and purged rows never gave their space back
 * (docs/operations.md).
 *
 * Runs on a connection of its own, outside any transaction (VACUUM cannot run in one) and without the
 * query timeout (a big table takes minutes). One process at a time: the others skip. Returns the tables
 * vacuumed: those with more dead rows than autovacuum's default threshold (50 + 20 % of the table).
 */
export async function vacuumDeadTables(connection: PgListenConnection): Promise<string[]> {
  const locked = await connection.query<{ locked: boolean }>(sql.TRY_SESSION_LOCK, [sql.VACUUM_LOCK]);
  if (!locked.rows[0]?.locked) return [];
  try {
    const dead = (await connection.query<{ name: string }>(sql.DEAD_TUPLE_TABLES)).rows;
    // Names come from the catalog, of hookline's own schema; quoted all the same.
    for (const { name } of dead) {
      await connection.query(`VACUUM (SKIP_LOCKED) hookline."${name.replaceAll('"', '""')}"`);
    }
    return dead.map((r) => r.name);
  } finally {
    await connection.query(sql.SESSION_UNLOCK, [sql.VACUUM_LOCK]);
  }
}
