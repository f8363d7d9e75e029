import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { loadArticleFiles } from '../../local/article-files.ts';
import { formatProblem } from '../../lambdas/articles/schema.ts';
import { ArticleWriteError } from '../../lambdas/articles/store.ts';
import { type FeedInput, importFeed } from '../../lambdas/feeds/import-feed.ts';
import { printFeedReports } from './feeds.ts';
import { type WhereOptions, withServices, withStackOptions } from './services.ts';
import { fail } from './shared.ts';

const importArticles = async (path: string, options: WhereOptions) => {
  const { articles, problems } = await loadArticleFiles(path);
  for (const problem of problems) console.error(`invalid: ${formatProblem(problem)}`);
  if (articles.length === 0) fail(`no valid article records in ${path}; nothing imported`);
  await withServices(options, async ({ stores, where }) => {
    const { missing } = await stores.articles.getMany(articles.map((article) => article.id));
    try {
      await stores.articles.put(articles);
    } catch (error) {
      if (!(error instanceof ArticleWriteError)) throw error;
      for (const { id, reason } of error.failed) console.error(`not stored: ${id}: ${reason}`);
      fail(`stored ${error.stored.length} of ${articles.length} record(s) from ${path} into ${where} (${error.stored.join(', ') || 'none'}); the ${error.failed.length} listed above were not: run the import again`);
    }
    const updated = articles.length - missing.length;
    console.log(`Imported ${articles.length} article(s) from ${path} into ${where}: ${missing.length} new, ${updated} updated.`);
  });
  if (problems.length > 0) {
    console.error(`${problems.length} problem(s) reported above; those records were not imported.`);
    process.exitCode = 1;
  }
};

const clip = (text: string, width: number) => (text.length > width ? `${text.slice(0, width - 1)}…` : text);

const listArticles = async (options: WhereOptions & { json?: boolean }) => {
  await withServices(options, async ({ stores, where }) => {
    const { articles, problems } = await stores.articles.list();
    if (options.json) console.log(JSON.stringify(articles, null, 2));
    else if (articles.length === 0) console.log(`No articles in ${where} yet: npx briefing articles import PATH`);
    else {
      const idWidth = Math.max(...articles.map((article) => article.id.length));
      for (const article of articles) {
        console.log(`${article.publishedAt.padEnd(25)} ${article.id.padEnd(idWidth)}  ${clip(article.category, 12).padEnd(12)} ${clip(article.headline, 70)}`);
      }
      console.log(`${articles.length} article(s) in ${where}`);
    }
    for (const problem of problems) console.error(`invalid in store: ${formatProblem(problem)}`);
  });
};

/** A URL is fetched (as the poller fetches it, without conditional GET); anything else is a file. */
const feedInput = async (source: string): Promise<FeedInput> => {
  if (/^https?:\/\//i.test(source)) return { url: source };
  try {
    return { text: await readFile(source, 'utf8'), name: source };
  } catch (error) {
    return fail(`${source}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file (give a file, or an http:// or https:// URL)' : (error as Error).message}`);
  }
};

const importFromFeed = async (source: string, options: WhereOptions & { category?: string }) => {
  const input = await feedInput(source);
  await withServices(options, async ({ stores, where }) => {
    const report = await importFeed(input, options.category, { articles: stores.articles });
    printFeedReports([report], where);
    // Items left out are the feed's business; a feed with nothing usable at all is a failure.
    if (report.added + report.updated + report.unchanged === 0 && report.leftOut.length > 0) {
      console.error(`no item of ${source} could be stored (reasons above)`);
      process.exitCode = 1;
    }
  });
};

export const registerArticles = (program: Command): void => {
  const articles = program.command('articles').description('Manage the article records: the local store, or a deployed stack with --stack.');
  withStackOptions(
    articles
      .command('import')
      .description('Validate article records and write them to the store (an existing id is updated).')
      .argument('<path>', 'a JSON file (one record or an array) or a folder of JSON files'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ npx briefing articles import samples/articles
  $ npx briefing articles import today.json --stack Briefing --region eu-west-2`,
    )
    .action(importArticles);
  withStackOptions(
    articles
      .command('import-feed')
      .description('Import the items of one feed once (RSS 2.0, Atom 1.0 or JSON Feed), by the rules the feed poller uses: to try a feed before adding it to `feeds`.')
      .argument('<source>', 'the feed: an http(s):// URL, or a local file')
      .option('-c, --category <category>', 'the category of items that carry none of their own'),
  )
    .addHelpText(
      'after',
      `
Prints "SOURCE: N new, M updated, K left out", then one line per item left out (with its guid or link,
the field and the problem) and per item stored without an optional part (an image without alt text).
The mapping rules are in docs/feeds.md. Exit status 1 when the feed cannot be fetched or read, or no
item of it can be stored.

Examples:
  $ npx briefing articles import-feed https://www.example.com/world/rss --category World
  $ npx briefing articles import-feed ./export.atom
  $ npx briefing articles import-feed https://cms.example.org/feed.json --stack Briefing`,
    )
    .action(importFromFeed);
  withStackOptions(articles.command('list').description('List the stored articles, newest first.').option('--json', 'print the records as JSON')).action(listArticles);
};
