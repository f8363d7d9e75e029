import { Command } from 'commander';
import { registerArticles } from './articles.ts';
import { registerDev } from './dev.ts';
import { registerEditions } from './editions.ts';
import { registerPreview } from './preview.ts';
import { registerRender } from './render.ts';
import { registerSend } from './send.ts';
import { registerSubscribers } from './subscribers.ts';

const program = new Command()
  .name('briefing')
  .description('Turn article records into a briefing email and send it to subscribers.')
  .showHelpAfterError('(run with --help for usage)');

registerRender(program);
registerArticles(program);
registerSend(program);
registerEditions(program);
registerSubscribers(program);
registerPreview(program);
registerDev(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // Expected failures (bad config, a broken template, an unreachable service) read best as one line.
  console.error(`briefing: ${(error as Error).message}`);
  if (process.env.BRIEFING_DEBUG) console.error((error as Error).stack);
  process.exitCode = 1;
}
