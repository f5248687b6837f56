export { openMongoStore, type MongoStoreOptions } from './mongo-store';
