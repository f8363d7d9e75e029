import { readdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startPreview, type StartPreviewOptions } from '../../bin/cli/preview.ts';
import type { PreviewServer } from '../../local/preview/server.ts';
import { createArticleStore } from '../../lambdas/aws/dynamodb/articles.ts';
import { article } from '../helpers/articles.ts';
import { startTestEmulators, type TestEmulators } from '../helpers/emulators.ts';
import { openEvents } from './events.ts';
import { createWorkspace, sampleHeadline, type Workspace } from './workspace.ts';

let emulators: TestEmulators;
let workspace: Workspace;
let configFile: string;
let preview: PreviewServer;

const portOf = (endpoint: string) => Number(new URL(endpoint).port);

const start = (options: StartPreviewOptions = {}) =>
  startPreview({
    port: 0,
    templatesDir: workspace.templatesDir,
    samplesDir: workspace.samplesDir,
    configFile,
    emulatorPorts: { ses: portOf(emulators.sesEndpoint), dynamodb: portOf(emulators.settings.dynamodbEndpoint!) },
    articlesTable: emulators.tables.articles,
    ...options,
  });

const getJson = async (path: string, server: PreviewServer = preview) => {
  const response = await fetch(new URL(path, server.url));
  return (await response.json()) as Record<string, any>;
};

const postJson = async (path: string, body: unknown) => {
  const response = await fetch(new URL(path, preview.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
};

// The emulator's .eml export (rebuilt from what it parsed: subject, addresses, bodies) is JSON holding a serialised Buffer.
const sentMail = async (messageId: string) => {
  const response = await fetch(`${emulators.sesEndpoint}/get-emlContent?messageId=${encodeURIComponent(messageId)}`);
  const { body } = (await response.json()) as { body: { data: number[] } };
  return simpleParser(Buffer.from(body.data));
};

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

beforeAll(async () => {
  emulators = await startTestEmulators();
});
afterAll(async () => {
  await emulators.close();
});

beforeEach(async () => {
  workspace = createWorkspace();
  configFile = join(workspace.root, 'briefing.config.json');
  writeFileSync(configFile, '{}');
  preview = await start();
});
afterEach(async () => {
  await preview.close();
  workspace.remove();
});

describe('the preview server', () => {
  it('serves the page and its script on loopback only', async () => {
    const page = await fetch(preview.url);
    const script = await fetch(new URL('/client.js', preview.url));
    const foreign = await new Promise<number | undefined>((resolve, reject) => {
      const url = new URL(preview.url);
      request({ host: url.hostname, port: url.port, path: '/', headers: { host: `rebound.example:${url.port}` } }, (response) => {
        response.resume();
        resolve(response.statusCode);
      })
        .on('error', reject)
        .end();
    });

    expect(new URL(preview.url).hostname).toBe('127.0.0.1');
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('<title>Briefing preview</title>');
    expect(script.headers.get('content-type')).toContain('text/javascript');
    expect(foreign).toBe(403);
  });

  it('announces a saved template to the page, and the next render shows the edit', async () => {
    // Prepare
    const events = await openEvents(new URL('/api/events', preview.url).href);
    await events.next('hello');

    // Act
    workspace.writeTemplate('partials/masthead.mjml', workspace.template('partials/masthead.mjml').replace('{{ newsletter.name }}', 'Edited masthead'));
    const change = await events.next('change');
    const render = await getJson('/api/render?template=briefing&dataSet=samples');
    events.close();

    // Assess
    expect(change.templates).toEqual(['briefing']);
    expect(change.files).toEqual([expect.stringMatching(/partials\/masthead\.mjml$/)]);
    expect(render.version).toBe(change.version);
    expect(render.html).toContain('Edited masthead');
  });

  it('announces changed samples and config', async () => {
    const events = await openEvents(new URL('/api/events', preview.url).href);
    await events.next('hello');
    const [first] = readdirSync(workspace.samplesDir).sort();

    writeFileSync(join(workspace.samplesDir, first!), '[]');
    const sampleChange = await events.next('change');
    writeFileSync(configFile, JSON.stringify({ newsletterName: 'Config Saved Later', subjectTemplate: '{{ newsletter.name }}: {{ lead.headline }}' }));
    const configChange = await events.next('change');
    const render = await getJson('/api/render?template=briefing&dataSet=samples');
    events.close();

    expect(sampleChange.files).toEqual([expect.stringContaining(first!)]);
    expect(sampleChange.templates).toEqual(['briefing']);
    expect(configChange.files).toEqual([expect.stringMatching(/briefing\.config\.json$/)]);
    expect(render.subject).toMatch(/^Config Saved Later: /);
  });

  it('answers a broken template with its error (and sends nothing), keeps serving, and renders again once it is fixed', async () => {
    const original = workspace.template('partials/story.mjml');
    workspace.writeTemplate('partials/story.mjml', `${original}\n{% if %}`);

    const broken = await getJson('/api/render?template=briefing&dataSet=samples');
    const send = await postJson('/api/send-test', { template: 'briefing', dataSet: 'samples', to: 'author@example.org' });
    workspace.writeTemplate('partials/story.mjml', original);
    const fixed = await getJson('/api/render?template=briefing&dataSet=samples');

    expect(broken.ok).toBe(false);
    expect(broken.error.file).toBe('partials/story.mjml');
    expect(broken.error.line).toBe(original.split('\n').length + 1);
    expect(send.status).toBe(409);
    expect(send.body.error).toBe(`nothing to send: ${broken.error.message}`);
    expect(fixed.ok).toBe(true);
  });

  it("offers the local store's records while its DynamoDB answers, and leaves the store out when nothing does", async () => {
    // Prepare
    const stored = article({ id: 'stored-story', headline: 'A story only the local store holds', priority: 5 });
    await createArticleStore(emulators.doc, emulators.tables.articles).put([stored]);
    const silent = await start({ emulatorPorts: { ses: await freePort(), dynamodb: await freePort() } });

    // Act
    const state = await getJson('/api/state');
    const render = await getJson('/api/render?template=briefing&dataSet=store');
    const silentState = await getJson('/api/state', silent);
    await silent.close();

    // Assess
    expect(state.dataSets.map((set: { id: string }) => set.id)).toContain('store');
    expect(render.html).toContain(stored.headline);
    expect(silentState.dataSets.map((set: { id: string }) => set.id)).not.toContain('store');
  });

  it('sends the shown email through the mailer to the local inbox', async () => {
    // Prepare
    await emulators.clearInbox();
    const [, second] = readdirSync(workspace.samplesDir).sort();
    const dataSet = `samples/${second}`;
    const shown = await getJson(`/api/render?template=briefing&dataSet=${encodeURIComponent(dataSet)}`);

    // Act
    const sent = await postJson('/api/send-test', { template: 'briefing', dataSet, to: 'author@example.org' });

    // Assess
    expect(sent.status).toBe(200);
    expect(sent.body.inboxUrl).toBe(`${emulators.sesEndpoint}/`);
    const mail = await sentMail(sent.body.messageId);
    expect(mail.subject).toBe(shown.subject);
    expect(mail.subject).toContain(sampleHeadline(workspace.samplesDir, second!));
    expect(mail.to).toMatchObject({ text: 'author@example.org' });
    expect(mail.html).toBe(shown.html);
    expect(mail.text?.trim()).toBe(shown.text.trim());
  });

  it("offers the config's topics, renders the briefing of a reader of the chosen ones, and sends that one as the test", async () => {
    await emulators.clearInbox();
    const state = await getJson('/api/state');
    const shown = await getJson('/api/render?template=briefing&dataSet=samples&topics=science,health');
    const everything = await getJson('/api/render?template=briefing&dataSet=samples');

    const sent = await postJson('/api/send-test', { template: 'briefing', dataSet: 'samples', topics: ['science', 'health'], to: 'author@example.org' });
    const refused = await postJson('/api/send-test', { template: 'briefing', dataSet: 'samples', topics: 'science', to: 'author@example.org' });

    expect(state.topics).toContainEqual({ id: 'science', label: 'Science' });
    expect(shown).toMatchObject({ ok: true, topics: ['science', 'health'] });
    expect(sampleHeadline(workspace.samplesDir, '03-comet.json').startsWith(shown.subject.replace(/…$/, ''))).toBe(true);
    expect(everything.subject).not.toBe(shown.subject);
    const mail = await sentMail(sent.body.messageId);
    expect(mail.subject).toBe(shown.subject);
    expect(mail.html).toBe(shown.html);
    expect(refused).toEqual({ status: 400, body: { error: 'topics must be a list of topic ids' } });
  });

  it('sends the confirmation email too', async () => {
    const shown = await getJson('/api/render?template=confirmation');

    const sent = await postJson('/api/send-test', { template: 'confirmation', to: 'author@example.org' });

    expect(sent.status).toBe(200);
    const mail = await sentMail(sent.body.messageId);
    expect(mail.subject).toBe(shown.subject);
    expect(mail.html).toBe(shown.html);
  });

  it('refuses a test send of a page, to a bad address, or without a JSON body, saying why', async () => {
    const badAddress = await postJson('/api/send-test', { template: 'briefing', dataSet: 'samples', to: 'not an address' });
    const page = await postJson('/api/send-test', { template: 'page-signup', to: 'author@example.org' });
    const form = await fetch(new URL('/api/send-test', preview.url), { method: 'POST', body: 'to=a@example.org' });

    expect(badAddress.status).toBe(400);
    expect(badAddress.body.error).toContain('not an address');
    expect(page).toEqual({ status: 400, body: { error: 'Signup page is a page, not an email' } });
    expect(form.status).toBe(400);
    expect(await form.json()).toEqual({ error: 'expected a JSON body' });
  });

  it('says so when its port is taken', async () => {
    await expect(start({ port: Number(new URL(preview.url).port) })).rejects.toThrow(/port \d+ is in use: choose another with --port or BRIEFING_PREVIEW_PORT/);
  });
});
