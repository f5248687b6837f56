export * from './event';
export * from './fingerprint';
