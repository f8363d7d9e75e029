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

  it('reads the feeds from the file as a list and from BRIEFING_FEEDS as JSON, naming the entry at fault', () => {
    const feeds = [{ url: 'http://cms.internal:8080/feeds/world.xml', category: 'World' }];
    expect(loadConfig({ file: tempFile(JSON.stringify({ feeds })), env: {} })).toMatchObject({ feeds, feedPollMinutes: 15 });
    expect(loadConfig({ file: tempFile('{}'), env: { BRIEFING_FEEDS: JSON.stringify(feeds), BRIEFING_FEED_POLL_MINUTES: '30' } })).toMatchObject({ feeds, feedPollMinutes: 30 });
    expect(loadConfig({ file: tempFile('{}'), env: {} }).feeds).toEqual([]);
    expect(() => loadConfig({ file: tempFile('{}'), env: { BRIEFING_FEEDS: '[{"url": "https://a.example/rss", "category": "World"}, {"url": "feed.xml", "category": "World"}]' } })).toThrow(
      /feeds\[1\]\.url \(BRIEFING_FEEDS\): must be an http:\/\/ or https:\/\/ URL/,
    );
    expect(() => loadConfig({ file: tempFile('{}'), env: { BRIEFING_FEEDS: 'https://a.example/rss' } })).toThrow(/feeds \(BRIEFING_FEEDS\): must be JSON/);
    expect(() => loadConfig({ file: tempFile('{}'), env: { BRIEFING_FEED_POLL_MINUTES: '1' } })).toThrow(/feedPollMinutes \(BRIEFING_FEED_POLL_MINUTES\): must be at least 5 minutes/);
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
