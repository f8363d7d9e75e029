import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../lambdas/config/config.ts';

const tempFile = (content: string): string => {
  const file = join(mkdtempSync(join(tmpdir(), 'briefing-config-')), 'briefing.config.json');
  writeFileSync(file, content);
  return file;
};

describe('config', () => {
  it('has working defaults', () => {
    const config = loadConfig({ env: {}, file: tempFile('{}') });
    expect(config).toMatchObject({ timeZone: 'Europe/London', language: 'en-GB', maxStories: 10, siteUrl: 'http://localhost:3000' });
  });

  it('lets the environment override the file', () => {
    const file = tempFile(JSON.stringify({ newsletterName: 'From file', maxStories: 5 }));
    const config = loadConfig({ file, env: { BRIEFING_NEWSLETTER_NAME: 'From env', BRIEFING_SITE_URL: 'https://briefing.example.com/' } });
    expect(config.newsletterName).toBe('From env');
    expect(config.maxStories).toBe(5);
    expect(config.siteUrl).toBe('https://briefing.example.com');
  });

  it('names each bad setting and its environment variable', () => {
    const load = () =>
      loadConfig({
        file: tempFile('{}'),
        env: { BRIEFING_TIME_ZONE: 'Mars/Olympus', BRIEFING_SITE_URL: 'http://briefing.example.com', BRIEFING_MAX_STORIES: 'ten' },
      });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/timeZone \(BRIEFING_TIME_ZONE\): must be an IANA time zone/);
    expect(load).toThrow(/siteUrl \(BRIEFING_SITE_URL\): must be an https:\/\/ URL/);
    expect(load).toThrow(/maxStories \(BRIEFING_MAX_STORIES\)/);
  });

  it('rejects a header-breaking newsletter name', () => {
    expect(() => loadConfig({ file: tempFile(JSON.stringify({ newsletterName: 'A\r\nBcc: x@example.com' })), env: {} })).toThrow(
      /newsletterName.*single line/,
    );
  });

  it('reports a config file that is not JSON, by name', () => {
    const file = tempFile('{ nope');
    expect(() => loadConfig({ file, env: {} })).toThrow(new RegExp(`config file ${file}`));
  });

  it('reports a named config file that does not exist', () => {
    expect(() => loadConfig({ file: '/nonexistent/briefing.config.json', env: {} })).toThrow(/does not exist/);
  });
});
