import mjml2html from 'mjml';
import { loadArticleFiles } from '../local/article-files.ts';
import { loadConfig } from '../lambdas/config/config.ts';
import { buildEdition } from '../lambdas/edition/model.ts';
import { renderBriefing } from '../lambdas/render/briefing.ts';
import { personalise } from '../lambdas/render/personalise.ts';
import { median, report, timeRuns } from './stats.ts';

/** Render time for a 10-story edition against mjml2html alone, HTML size, and personalise() per recipient. */
export const benchRender = async (): Promise<void> => {
  console.log('\n## Render (10-story edition from the samples)');
  const config = loadConfig({ env: {} });
  const { articles } = await loadArticleFiles('samples/articles');
  const edition = buildEdition(articles, { date: '2026-11-24', maxStories: 10 });
  if (edition.stories.length !== 10) throw new Error(`expected 10 stories, got ${edition.stories.length}`);

  const rendered = await renderBriefing(edition, config);
  const mjmlOnly = () => mjml2html(rendered.mjml, { validationLevel: 'strict', ignoreIncludes: true, keepComments: false, fonts: {} });
  // Interleaved rounds, so warm-up and machine noise weigh on both figures alike.
  const fullRuns: number[] = [];
  const mjmlRuns: number[] = [];
  for (let round = 0; round < 10; round += 1) {
    fullRuns.push(...(await timeRuns(() => renderBriefing(edition, config), 5, 1)));
    mjmlRuns.push(...(await timeRuns(mjmlOnly, 5, 1)));
  }
  const full = median(fullRuns);
  const mjmlAlone = median(mjmlRuns);
  console.log(`render (Liquid + MJML + text): ${full.toFixed(2)} ms median; mjml2html alone: ${mjmlAlone.toFixed(2)} ms`);
  report('render time relative to mjml2html alone', full / mjmlAlone, '×', { value: 1.3, better: 'lower' });

  const recipient = (index: number) => ({
    email: `reader${index}@example.com`,
    unsubscribeUrl: `https://briefing.example.com/unsubscribe?token=${index.toString(36).padStart(40, 'x')}`,
    preferencesUrl: `https://briefing.example.com/preferences?token=${index.toString(36).padStart(40, 'y')}`,
    browserUrl: 'https://briefing.example.com/archive/2026-11-24',
  });
  const html = personalise(rendered, recipient(0)).html;
  report('HTML size', Buffer.byteLength(html) / 1024, 'KB', { value: 60, better: 'lower' });

  const batches = await timeRuns(() => {
    for (let index = 0; index < 1000; index += 1) personalise(rendered, recipient(index));
  }, 20);
  report('personalise() per recipient', (median(batches) / 1000) * 1000, 'µs', { value: 20, better: 'lower' });
};
