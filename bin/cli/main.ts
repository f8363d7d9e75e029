import { Command } from 'commander';
import { isExpectedFailure } from '../../lambdas/errors.ts';
import { registerArticles } from './articles.ts';
import { registerDev } from './dev.ts';
import { registerEditions } from './editions.ts';
import { registerFeeds } from './feeds.ts';
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
registerFeeds(program);
registerSend(program);
registerEditions(program);
registerSubscribers(program);
registerPreview(program);
registerDev(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // Every failure reads as one line; an unexpected one (a bug, an unreachable service) also offers its stack.
  console.error(`briefing: ${(error as Error).message}`);
  if (process.env.BRIEFING_DEBUG) console.error((error as Error).stack);
  else if (!isExpectedFailure(error)) console.error('(run again with BRIEFING_DEBUG=1 to see where it failed)');
  process.exitCode = 1;
}
