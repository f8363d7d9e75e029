import { describe, expect, it } from 'vitest';
import { ComposeError, parseComposeRequest } from '../../lambdas/sending/compose-request.ts';

describe('the compose request', () => {
  it('is what the schedule sends ({}) or what briefing send asks for', () => {
    expect(parseComposeRequest({})).toEqual({});
    expect(parseComposeRequest({ date: '2026-11-24', articleIds: ['lead'], to: 'editor@example.com' })).toEqual({ date: '2026-11-24', articleIds: ['lead'], to: 'editor@example.com' });
    expect(parseComposeRequest({ to: 'editor@example.com', topics: ['world', 'science'] })).toEqual({ to: 'editor@example.com', topics: ['world', 'science'] });
  });

  it.each([
    [{ date: '24/11/2026' }, 'date: must be a calendar date, YYYY-MM-DD'],
    [{ to: 'editor' }, 'to: must be an email address'],
    [{ articleIds: [''] }, 'articleIds.0: must not be empty'],
    [{ dryRun: 'yes' }, 'dryRun: must be boolean'],
    [{ to: 'editor@example.com', dryRun: true }, '--to sends one test copy: it cannot be combined with --dry-run or --resume'],
    [{ to: 'editor@example.com', resume: true }, '--to sends one test copy: it cannot be combined with --dry-run or --resume'],
    [{ retryUncertain: true }, '--retry-uncertain goes with --resume: it sends the uncertain deliveries of an edition again'],
    [{ topics: ['world'] }, '--topics goes with --to: it sends the test copy a reader of those topics gets'],
    [{ to: 'editor@example.com', topics: 'world' }, 'topics: must be array'],
    [{ date: '2026-11-24', force: true }, 'unknown field force'],
    [null, 'request: must be object'],
  ])('refuses %j: %s', (input, message) => {
    expect(() => parseComposeRequest(input)).toThrow(new ComposeError(message));
  });
});
