import { parseDatabaseUrl, openDatabase, type Database } from '../db/connection.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { systemClock, type ServiceContext } from '../modules/context.ts';

/** Open the database named by DATABASE_URL (default ./data/wuye.db), migrate it, and give the service context. */
export async function openRuntime(): Promise<{ database: Database; ctx: ServiceContext }> {
  const database = openDatabase(parseDatabaseUrl(process.env.DATABASE_URL));
  await migrateToLatest(database.db);
  return { database, ctx: { db: database.db, dialect: database.dialect, clock: systemClock } };
}
