export * from './limits';
export * from './secrets';
export * from './state';
export * from './emit';
export * from './platform';
export * from './memory';
