import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { loadArticleFiles } from '../../local/article-files.ts';
import { formatProblem } from '../../lambdas/articles/schema.ts';
import { loadConfig } from '../../lambdas/config/config.ts';
import { buildEdition, dateInZone } from '../../lambdas/edition/model.ts';
import { renderBriefing } from '../../lambdas/render/briefing.ts';
import { personalise } from '../../lambdas/render/personalise.ts';
import { previewRecipient } from '../../lambdas/render/preview-recipient.ts';
import { fail, samplesDir, validDate } from './shared.ts';

interface RenderOptions {
  articles: string;
  date?: string;
  out: string;
  text?: string;
  strict?: boolean;
}

const write = async (file: string, content: string): Promise<void> => {
  await mkdir(dirname(resolve(file)), { recursive: true });
  await writeFile(file, content);
};

const render = async (options: RenderOptions): Promise<void> => {
  const config = loadConfig();
  const { articles, problems } = await loadArticleFiles(options.articles);
  for (const problem of problems) console.error(`invalid: ${formatProblem(problem)}`);
  if (problems.length > 0 && options.strict) fail(`${problems.length} problem(s) in ${options.articles}; nothing rendered (--strict)`);
  if (articles.length === 0) fail(`no valid article records in ${options.articles}`);

  const date = options.date ?? dateInZone(config.timeZone);
  const edition = buildEdition(articles, { date, maxStories: config.maxStories });
  const rendered = await renderBriefing(edition, config);
  const copy = personalise(rendered, previewRecipient(config, date));
  await write(options.out, copy.html);
  if (options.text) await write(options.text, copy.text);

  const size = (Buffer.byteLength(copy.html) / 1024).toFixed(1);
  console.log(`Rendered "${rendered.subject}": ${edition.stories.length} stories, ${size} KB of HTML → ${options.out}` + (options.text ? `, text → ${options.text}` : ''));
  if (problems.length > 0) console.log(`${problems.length} problem(s) reported above; those records were left out.`);
};

export const registerRender = (program: Command): void => {
  program
    .command('render')
    .description('Render a briefing from article records to an HTML file (and optionally a plain-text file).')
    .option('-a, --articles <path>', 'a JSON file (one record or an array) or a folder of JSON files', samplesDir)
    .option('-d, --date <YYYY-MM-DD>', "the edition's date (default: today in the newsletter's time zone)", validDate)
    .option('-o, --out <file>', 'where to write the HTML', 'briefing.html')
    .option('-t, --text <file>', 'also write the plain-text version here')
    .option('--strict', 'fail on any invalid record instead of leaving it out')
    .addHelpText(
      'after',
      `
Invalid records are listed on stderr (where, id, field, problem) and left out of the briefing.
Exit status: 0 when a briefing was written, 1 when no valid record remains (or any is invalid with --strict).

Examples:
  $ npx briefing render
  $ npx briefing render --articles ./today --date 2026-11-24 --out out/briefing.html --text out/briefing.txt`,
    )
    .action(render);
};
