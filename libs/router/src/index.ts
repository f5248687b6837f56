export * from './route';
export * from './routing-table';
