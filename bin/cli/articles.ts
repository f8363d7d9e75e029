import type { Command } from 'commander';
import { loadArticleFiles } from '../../local/article-files.ts';
import { formatProblem } from '../../lambdas/articles/schema.ts';
import { ArticleWriteError } from '../../lambdas/articles/store.ts';
import { withLocalServices } from '../../local/services.ts';
import { fail } from './shared.ts';

const importArticles = async (path: string) => {
  const { articles, problems } = await loadArticleFiles(path);
  for (const problem of problems) console.error(`invalid: ${formatProblem(problem)}`);
  if (articles.length === 0) fail(`no valid article records in ${path}; nothing imported`);
  await withLocalServices(async ({ stores }) => {
    const { missing } = await stores.articles.getMany(articles.map((article) => article.id));
    try {
      await stores.articles.put(articles);
    } catch (error) {
      if (!(error instanceof ArticleWriteError)) throw error;
      for (const { id, reason } of error.failed) console.error(`not stored: ${id}: ${reason}`);
      fail(`stored ${error.stored.length} of ${articles.length} record(s) from ${path} (${error.stored.join(', ') || 'none'}); the ${error.failed.length} listed above were not: run the import again`);
    }
    const updated = articles.length - missing.length;
    console.log(`Imported ${articles.length} article(s) from ${path}: ${missing.length} new, ${updated} updated.`);
  });
  if (problems.length > 0) {
    console.error(`${problems.length} problem(s) reported above; those records were not imported.`);
    process.exitCode = 1;
  }
};

const clip = (text: string, width: number) => (text.length > width ? `${text.slice(0, width - 1)}…` : text);

const listArticles = async (options: { json?: boolean }) => {
  await withLocalServices(async ({ stores }) => {
    const { articles, problems } = await stores.articles.list();
    if (options.json) console.log(JSON.stringify(articles, null, 2));
    else if (articles.length === 0) console.log('No articles in the store yet: npx briefing articles import PATH');
    else {
      const idWidth = Math.max(...articles.map((article) => article.id.length));
      for (const article of articles) {
        console.log(`${article.publishedAt.padEnd(25)} ${article.id.padEnd(idWidth)}  ${clip(article.category, 12).padEnd(12)} ${clip(article.headline, 70)}`);
      }
      console.log(`${articles.length} article(s)`);
    }
    for (const problem of problems) console.error(`invalid in store: ${formatProblem(problem)}`);
  });
};

export const registerArticles = (program: Command): void => {
  const articles = program.command('articles').description('Manage the article records in the local store.');
  articles
    .command('import')
    .description('Validate article records and write them to the store (an existing id is updated).')
    .argument('<path>', 'a JSON file (one record or an array) or a folder of JSON files')
    .action(importArticles);
  articles.command('list').description('List the stored articles, newest first.').option('--json', 'print the records as JSON').action(listArticles);
};
