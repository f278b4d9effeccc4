import type { PostgresContext } from './context.js';
import * as sql from './statements.js';

/**
 * Keep the planner's statistics of the hot tables current, whatever the server's autovacuum does.
 *
 * The hot path runs as prepared statements, and after a few executions PostgreSQL caches a generic plan,
 * costed with the table sizes of that moment. A plan made while `deliveries` was nearly empty updates it
 * with a sequential scan, and nothing re-plans it until the table is ANALYZEd. With autovacuum off (or
 * behind) that never happens, and every batch of outcomes scans the whole table: measured here, the cost of
 * a 32-outcome unit grew from 1 to 8 ms by 50,000 deliveries, and the database's CPU per delivery tripled.
 * ANALYZE invalidates the cached plans, so the next execution plans with the real sizes.
 *
 * Returns the tables analyzed: those that more than doubled (plus 1,000 rows) since their last ANALYZE, by
 * anybody (statements.ts, STALE_PLANNER_STATS). One process at a time; the others skip. Autovacuum's own rule
 * (50 rows + 10 % of the table changed) ran it up to twice a second during a burst into a young database,
 * and those ANALYZEs took 35–58 % of the database's statement time (docs/benchmarks.md).
 */
export async function analyzeStaleTables(ctx: PostgresContext): Promise<string[]> {
  return ctx.transaction(async (tx) => {
    const locked = await tx.query<{ locked: boolean }>(sql.TRY_XACT_LOCK, [sql.ANALYZE_LOCK]);
    if (!locked.rows[0]?.locked) return [];
    const stale = (await tx.query<{ name: string }>(sql.STALE_PLANNER_STATS, [sql.PLANNED_TABLES])).rows;
    // Names come from the catalog and are members of PLANNED_TABLES: safe to splice.
    for (const { name } of stale) await tx.query(`ANALYZE (SKIP_LOCKED) hookline.${name}`); // not behind a VACUUM
    return stale.map((r) => r.name);
  });
}

/** Whether the server runs autovacuum (without it, hookline VACUUMs its own tables: vacuum.ts). */
export async function autovacuumIsOn(ctx: PostgresContext): Promise<boolean> {
  const [row] = await ctx.rows<{ autovacuum: string }>(sql.SHOW_AUTOVACUUM);
  return row?.autovacuum !== 'off';
}
