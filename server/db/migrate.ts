import { Migrator, type Migration, type MigrationResultSet } from 'kysely';
import type { AnyDb } from './migrations/helpers.ts';
import * as m0001 from './migrations/0001-registry.ts';
import * as m0002 from './migrations/0002-billing.ts';
import * as m0003 from './migrations/0003-payments.ts';
import * as m0004 from './migrations/0004-receipts.ts';
import * as m0005 from './migrations/0005-waivers.ts';
import * as m0007 from './migrations/0007-ledger-workflows.ts';
import * as m0008 from './migrations/0008-price-notice.ts';
import * as m0009 from './migrations/0009-dunning.ts';
import * as m0010 from './migrations/0010-dunning-speed.ts';
import * as m0011 from './migrations/0011-contact-schedule.ts';
import * as m0012 from './migrations/0012-collector-assignment.ts';
import * as m0013 from './migrations/0013-script-book.ts';
import * as m0014 from './migrations/0014-daily-review.ts';
import * as m0015 from './migrations/0015-notices.ts';
import * as m0016 from './migrations/0016-imports.ts';
import * as m0017 from './migrations/0017-portal.ts';
import * as m0018 from './migrations/0018-export-requests.ts';

/** Migrations listed in code (no directory scanning), so they run the same under tsx, tests and a bundle. */
const MIGRATIONS: Record<string, Migration> = {
  '0001-registry': m0001,
  '0002-billing': m0002,
  '0003-payments': m0003,
  '0004-receipts': m0004,
  '0005-waivers': m0005,
  '0007-ledger-workflows': m0007,
  '0008-price-notice': m0008,
  '0009-dunning': m0009,
  '0010-dunning-speed': m0010,
  '0011-contact-schedule': m0011,
  '0012-collector-assignment': m0012,
  '0013-script-book': m0013,
  '0014-daily-review': m0014,
  '0015-notices': m0015,
  '0016-imports': m0016,
  '0017-portal': m0017,
  '0018-export-requests': m0018,
};

/** Every migration's name, in the order they run. */
export const MIGRATION_NAMES = Object.keys(MIGRATIONS);

export async function migrateToLatest(db: AnyDb): Promise<MigrationResultSet> {
  const migrator = new Migrator({ db, provider: { getMigrations: () => Promise.resolve(MIGRATIONS) } });
  const result = await migrator.migrateToLatest();
  if (result.error) throw result.error instanceof Error ? result.error : new Error('数据库迁移失败', { cause: result.error });
  return result;
}
