import { resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';

export const repoRoot = resolve(import.meta.dirname, '../..');
export const samplesDir = resolve(repoRoot, 'samples/articles');

/** Ends the command with a message on stderr and exit status 1. */
export const fail = (message: string): never => {
  console.error(`briefing: ${message}`);
  process.exit(1);
};

/** Commander option parser for YYYY-MM-DD calendar dates. */
export const validDate = (value: string): string => {
  const parsed = new Date(`${value}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== value) {
    throw new InvalidArgumentError('expected a calendar date as YYYY-MM-DD');
  }
  return value;
};
