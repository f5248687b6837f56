export * from './ports/records';
export * from './ports/store';
export * from './ports/sandbox';
