import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadArticleFiles } from '../../local/article-files.ts';
import { loadConfig } from '../../lambdas/config/config.ts';
import { buildEdition, dateInZone } from '../../lambdas/edition/model.ts';
import { listDataSets } from '../../local/preview/datasets.ts';
import { previewTemplates, templatesUsing } from '../../local/preview/registry.ts';
import type { LocalArticleStore } from '../../local/preview/local-store.ts';
import { createPreviewRenderer, type PreviewRenderer, type PreviewResult } from '../../local/preview/render.ts';
import { renderBriefing } from '../../lambdas/render/briefing.ts';
import { withoutWhitespace } from '../../lambdas/render/variants.ts';
import { renderForTopicSets } from '../../lambdas/sending/selection.ts';
import { createTemplateEngine } from '../../lambdas/render/engine.ts';
import { personalise } from '../../lambdas/render/personalise.ts';
import { previewRecipient } from '../../lambdas/render/preview-recipient.ts';
import { renderConfirmationEmail } from '../../lambdas/subscription/confirmation-email.ts';
import { pageNames, renderPage } from '../../lambdas/subscription/pages.ts';
import { pagePreviews } from '../../local/preview/templates/subscription.ts';
import { article } from '../helpers/articles.ts';
import { createWorkspace, sampleHeadline, type Workspace } from './workspace.ts';

let workspace: Workspace;
let configFile: string;
let renderer: PreviewRenderer;

beforeEach(() => {
  workspace = createWorkspace();
  configFile = join(workspace.root, 'briefing.config.json');
  writeFileSync(configFile, JSON.stringify({ newsletterName: 'The Preview Test', siteUrl: 'https://news.example.org' }));
  renderer = createPreviewRenderer({ templatesDir: workspace.templatesDir, samplesDir: workspace.samplesDir, configFile });
});
afterEach(() => workspace.remove());

const rendered = (result: PreviewResult) => {
  if (!result.ok) throw new Error(`expected a render, got: ${result.error.message}`);
  return result;
};
const failed = (result: PreviewResult) => {
  if (result.ok) throw new Error('expected the render to fail');
  return result;
};

describe('the preview renderer', () => {
  it('shows byte for byte what the sender renders and personalises for the preview recipient', async () => {
    // Prepare
    const config = loadConfig({ file: configFile });
    const date = dateInZone(config.timeZone);
    const { articles } = await loadArticleFiles(workspace.samplesDir);
    const sent = personalise(
      await renderBriefing(buildEdition(articles, { date, maxStories: config.maxStories }), config, createTemplateEngine({ templatesDir: workspace.templatesDir })),
      previewRecipient(config, date),
    );

    // Act
    const result = rendered((await renderer.render('briefing', 'samples')).result);

    // Assess
    expect(result.html).toBe(sent.html);
    expect(result.text).toBe(sent.text);
    expect(result.subject).toBe(sent.subject);
    expect(result.mjml).toContain('<mjml');
    expect(result.size.bytes).toBe(Buffer.byteLength(sent.html));
    expect(result.links.map((link) => link.href)).toContain(previewRecipient(config, date).unsubscribeUrl);
    expect(result.problems).toEqual([]);
  });

  it("shows the briefing a reader of the chosen topics gets, as compose renders it among its readers' topic sets", async () => {
    // Prepare: what compose renders for an edition whose readers have these topic sets (the variants together).
    const config = loadConfig({ file: configFile });
    const date = dateInZone(config.timeZone);
    const { articles } = await loadArticleFiles(workspace.samplesDir);
    const engine = createTemplateEngine({ templatesDir: workspace.templatesDir });
    const composed = await renderForTopicSets(date, articles, [[], ['science'], ['health', 'science'], ['uk', 'world'], ['sport']], config, engine);
    const sent = personalise(composed.forTopics(['health', 'science'])!.briefing, previewRecipient(config, date));

    // Act
    const result = rendered((await renderer.render('briefing', 'samples', ['science', 'health'])).result);

    // Assess: the stories of science and health only, led by the comet (priority 3); the same mail as compose's.
    expect(result.topics).toEqual(['science', 'health']);
    expect(result.subject).toBe(sent.subject);
    // (a long headline is cut in the subject)
    expect(sampleHeadline(workspace.samplesDir, '03-comet.json').startsWith(result.subject!.replace(/…$/, ''))).toBe(true);
    expect(result.html).toContain(sampleHeadline(workspace.samplesDir, '08-flu.json'));
    expect(result.html).not.toContain(sampleHeadline(workspace.samplesDir, '01-climate-summit.json'));
    expect(withoutWhitespace(result.html)).toBe(withoutWhitespace(sent.html));
    expect(result.text).toBe(sent.text);
  });

  it('says so when the chosen topics have no story in the data set, or are not topics of the config', async () => {
    const none = failed((await renderer.render('briefing', 'samples/03-comet.json', ['sport'])).result);
    const unknown = failed((await renderer.render('briefing', 'samples', ['science', 'weather'])).result);

    expect(none.error.message).toBe('no story of the data set is in the topics sport: a reader of those topics gets no email (noTopicNews is "skip")');
    expect(unknown.error.message).toBe('no topic weather in the config (its topics: world, uk, business, markets, technology, science, health, culture, sport)');
    expect(renderer.topics().map((topic) => topic.id)).toEqual(['world', 'uk', 'business', 'markets', 'technology', 'science', 'health', 'culture', 'sport']);
  });

  it('follows an edited template on the next render', async () => {
    const before = rendered((await renderer.render('briefing', 'samples')).result);
    workspace.writeTemplate('partials/masthead.mjml', workspace.template('partials/masthead.mjml').replace('{{ newsletter.name }}', '{{ newsletter.name }} — edited'));

    const after = rendered((await renderer.render('briefing', 'samples')).result);

    expect(before.html).not.toContain('The Preview Test — edited');
    expect(after.html).toContain('The Preview Test — edited');
  });

  it('names the file and line of a Liquid error and shows the lines around it', async () => {
    // Prepare: the date label of the masthead's fourth line goes through a filter that does not exist.
    const masthead = workspace.template('partials/masthead.mjml');
    const lines = masthead.split('\n');
    const line = lines.findIndex((text) => text.includes('edition.dateLabel')) + 1;
    workspace.writeTemplate('partials/masthead.mjml', masthead.replace('{{ edition.dateLabel }}', '{{ edition.dateLabel | no_such_filter }}'));

    // Act
    const result = failed((await renderer.render('briefing', 'samples')).result);

    // Assess
    expect(result.error.file).toBe('partials/masthead.mjml');
    expect(result.error.line).toBe(line);
    expect(result.error.message).toContain('no_such_filter');
    expect(result.error.message).not.toContain(workspace.templatesDir);
    expect(result.error.excerpt?.lines.find((entry) => entry.number === line)?.text).toContain('no_such_filter');
  });

  it('points an MJML error at its line of the filled-in MJML', async () => {
    workspace.writeTemplate('briefing.mjml', workspace.template('briefing.mjml').replace('<mj-column>', '<mj-column><mj-nonsense />'));

    const result = failed((await renderer.render('briefing', 'samples')).result);

    expect(result.error.file).toBe('briefing.mjml');
    expect(result.error.message).toContain('mj-nonsense');
    expect(result.error.excerpt?.label).toContain('filled-in MJML');
    expect(result.error.excerpt?.lines.find((entry) => entry.number === result.error.line)?.text).toContain('<mj-nonsense />');
  });

  it('renders the valid records of a data set and lists the problems of the others with file and line', async () => {
    // Prepare
    const [broken, ...others] = readdirSync(workspace.samplesDir).sort();
    const headline = sampleHeadline(workspace.samplesDir, broken!);
    writeFileSync(join(workspace.samplesDir, broken!), '{\n  "id": "broken",\n  oops\n}\n');

    // Act
    const folder = rendered((await renderer.render('briefing', 'samples')).result);
    const file = failed((await renderer.render('briefing', `samples/${broken}`)).result);

    // Assess
    expect(folder.html).not.toContain(headline);
    expect(folder.html).toContain(sampleHeadline(workspace.samplesDir, others[0]!));
    expect(folder.problems).toEqual([expect.stringMatching(new RegExp(`${broken}: \\(file\\): not valid JSON at line 3`))]);
    expect(file.error.message).toContain('no valid article record');
    expect(file.problems).toEqual(folder.problems);
  });

  it('shows a bad config as an error naming the key', async () => {
    writeFileSync(configFile, JSON.stringify({ timeZone: 'Mars/Olympus' }));

    const result = failed((await renderer.render('briefing', 'samples')).result);

    expect(result.error.message).toContain('timeZone');
    expect(result.error.message).toContain(configFile);
  });

  it('answers an unknown template or data set with an error', async () => {
    expect(failed((await renderer.render('nope', 'samples')).result).error.message).toContain('no template named "nope"');
    expect(failed((await renderer.render('briefing', 'samples/nope.json')).result).error.message).toContain('no data set "samples/nope.json"');
  });
});

describe('the other templates', () => {
  it('renders the confirmation email as the subscription API sends it', async () => {
    const config = loadConfig({ file: configFile });
    const engine = createTemplateEngine({ templatesDir: workspace.templatesDir });

    const result = rendered((await renderer.render('confirmation', 'samples')).result);

    const sent = await renderConfirmationEmail(config, { email: 'reader@example.com', confirmUrl: `${config.siteUrl}/confirm?token=preview-token` }, engine);
    expect(result.kind).toBe('email');
    expect(result.html).toBe(sent.html);
    expect(result.text).toBe(sent.text);
    expect(result.subject).toBe(sent.subject);
    expect(result.links.map((link) => link.href)).toContain(`${config.siteUrl}/confirm?token=preview-token`);
  });

  it('renders every subscription page with its sample view as the API renders it', async () => {
    const config = loadConfig({ file: configFile });
    const engine = createTemplateEngine({ templatesDir: workspace.templatesDir });

    for (const name of pageNames) {
      const result = rendered((await renderer.render(`page-${name}`, 'samples')).result);

      expect(result.kind).toBe('page');
      expect(result.html).toBe(await renderPage(name, pagePreviews(config)[name], config, engine));
      expect(result.text).toBeUndefined();
    }
  });

  it('names the file and line of an error in a page template', async () => {
    const signup = workspace.template('pages/signup.liquid');
    workspace.writeTemplate('pages/signup.liquid', `${signup.trimEnd()}\n{{ newsletter.nme | upcase }}\n`);

    const result = failed((await renderer.render('page-signup', 'samples')).result);

    expect(result.error.file).toBe('pages/signup.liquid');
    expect(result.error.line).toBe(signup.trimEnd().split('\n').length + 1);
    expect(result.error.message).toContain('nme');
  });

  it('knows which templates a changed file affects', () => {
    const names = (file: string) => templatesUsing(file).map((template) => template.name);

    expect(names('partials/story.mjml')).toEqual(['briefing']);
    expect(names('partials/head.mjml')).toEqual(['briefing', 'confirmation']);
    expect(names('pages/signup.liquid')).toEqual(['page-signup']);
    expect(names('pages/layout.liquid')).toEqual(pageNames.map((name) => `page-${name}`));
    // A file no entry names (a new include) may be used by any of them.
    expect(names('pages/new-partial.liquid')).toEqual(previewTemplates.map((template) => template.name));
  });
});

describe('the data sets', () => {
  const store = (reachable: boolean): LocalArticleStore => ({
    label: 'Local store (table t)',
    reachable: async () => reachable,
    list: async () => ({ articles: [article({ id: 'from-the-store' })], problems: [] }),
    close: () => undefined,
  });

  it('offers the samples folder, each sample file, the --articles path first and the store while it answers', async () => {
    const files = readdirSync(workspace.samplesDir).sort();
    const articlesPath = join(workspace.samplesDir, files[1]!);

    const withStore = await listDataSets({ samplesDir: workspace.samplesDir, articlesPath, store: store(true) });
    const withoutStore = await listDataSets({ samplesDir: workspace.samplesDir, store: store(false) });

    expect(withStore.map((set) => set.id)).toEqual(['articles', 'samples', ...files.map((file) => `samples/${file}`), 'store']);
    expect(withStore[0]!.label).toContain(articlesPath);
    expect((await withStore.at(-1)!.load()).articles.map((record) => record.id)).toEqual(['from-the-store']);
    expect(withoutStore.map((set) => set.id)).toEqual(['samples', ...files.map((file) => `samples/${file}`)]);
  });
});
