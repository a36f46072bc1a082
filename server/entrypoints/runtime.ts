import { parseDatabaseUrl, openDatabase, type Database } from '../db/connection.ts';
import { migrateToLatest } from '../db/migrate.ts';
import type { Clock } from '../../core/dates.ts';
import { systemClock, type ServiceContext } from '../modules/context.ts';

/**
 * The server's clock: the system's, or, with WUYE_CLOCK_START=<ISO instant> (demos and browser tests at a chosen hour),
 * one that starts at that instant when the process starts and runs on in real time.
 */
export function clockFromEnv(start = process.env.WUYE_CLOCK_START): Clock {
  if (!start) return systemClock;
  const at = Date.parse(start);
  if (Number.isNaN(at)) throw new Error(`WUYE_CLOCK_START is not an ISO instant: ${start}`);
  const offset = at - Date.now();
  return { now: () => new Date(Date.now() + offset) };
}

/** Open the database named by DATABASE_URL (default ./data/wuye.db), migrate it, and give the service context. */
export async function openRuntime(): Promise<{ database: Database; ctx: ServiceContext }> {
  const database = openDatabase(parseDatabaseUrl(process.env.DATABASE_URL));
  await migrateToLatest(database.db);
  return { database, ctx: { db: database.db, dialect: database.dialect, clock: clockFromEnv() } };
}
