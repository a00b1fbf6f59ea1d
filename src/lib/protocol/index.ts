export * from './wad.ts';
export * from './exact.ts';
export * from './decimal.ts';
export * from './errors.ts';
export * from './rewards.ts';
export * from './scenario.ts';
