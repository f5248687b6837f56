export { openSqliteStore, SqliteStore, type SqliteSettings, type SqliteStoreOptions } from './sqlite-store';
export type { WriteQueueStats } from './write-queue';
