import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDatabaseUrl } from './connection.ts';

describe('DATABASE_URL', () => {
  it('defaults to an embedded SQLite file under ./data', () => {
    expect(parseDatabaseUrl(undefined)).toEqual({ dialect: 'sqlite', location: resolve('data/wuye.db') });
  });
  it('selects PostgreSQL for postgres:// and postgresql:// URLs', () => {
    expect(parseDatabaseUrl('postgres://u@127.0.0.1:5432/db').dialect).toBe('postgres');
    expect(parseDatabaseUrl('postgresql://u@h/db')).toEqual({ dialect: 'postgres', location: 'postgresql://u@h/db' });
  });
  it('selects SQLite for a path or a sqlite: URL', () => {
    expect(parseDatabaseUrl('/tmp/x.db')).toEqual({ dialect: 'sqlite', location: '/tmp/x.db' });
    expect(parseDatabaseUrl('sqlite:./a/b.db')).toEqual({ dialect: 'sqlite', location: resolve('a/b.db') });
    expect(parseDatabaseUrl('sqlite:///tmp/y.db')).toEqual({ dialect: 'sqlite', location: '/tmp/y.db' });
    expect(parseDatabaseUrl(':memory:').location).toBe(':memory:');
  });
});
