export * from './ports';
export * from './errors';
export * from './audit';
export * from './folder';
export * from './gates';
export * from './lifecycle';
export * from './gitops';
