import { openSqliteHistory } from './sqlite-store.js';
import type { HistoryStore } from './store.js';

export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//.test(location);
}

/** A location as output and errors may show it: a URL without its password. */
export function shownLocation(location: string): string {
  return location.replace(/(\/\/[^:/@]+):[^@/]*@/, '$1:***@');
}

/**
 * The history at `location`: a postgres:// or postgresql:// URL opens the PostgreSQL store
 * (a farm's workers sharing one database), anything else is a SQLite file. `pg` is loaded
 * only for the former.
 */
export async function openHistory(location: string): Promise<HistoryStore> {
  if (!isPostgresUrl(location)) return openSqliteHistory(location);
  const { openPostgresHistory } = await import('./postgres-store.js');
  return openPostgresHistory(location);
}
