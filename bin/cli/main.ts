import { Command } from 'commander';
import { isExpectedFailure } from '../../lambdas/errors.ts';

type Register = (program: Command) => void;

/**
 * Each command's module, in the order help lists them. Loaded on demand: `briefing subscribers import`
 * loads the subscriber commands alone, not the renderer, the sender or the preview server (tens of MB
 * of modules); help, an unknown command or options before the command load them all.
 */
const commands: Readonly<Record<string, () => Promise<Register>>> = {
  render: async () => (await import('./render.ts')).registerRender,
  articles: async () => (await import('./articles.ts')).registerArticles,
  feeds: async () => (await import('./feeds.ts')).registerFeeds,
  send: async () => (await import('./send.ts')).registerSend,
  editions: async () => (await import('./editions.ts')).registerEditions,
  subscribers: async () => (await import('./subscribers.ts')).registerSubscribers,
  preview: async () => (await import('./preview.ts')).registerPreview,
  dev: async () => (await import('./dev.ts')).registerDev,
};

const program = new Command()
  .name('briefing')
  .description('Turn article records into a briefing email and send it to subscribers.')
  .showHelpAfterError('(run with --help for usage)');

try {
  const named = process.argv[2];
  const wanted = named !== undefined && Object.hasOwn(commands, named) ? [named] : Object.keys(commands);
  for (const register of await Promise.all(wanted.map((name) => commands[name]!()))) register(program);
  await program.parseAsync(process.argv);
} catch (error) {
  // Every failure reads as one line; an unexpected one (a bug, an unreachable service) also offers its stack.
  console.error(`briefing: ${(error as Error).message}`);
  if (process.env.BRIEFING_DEBUG) console.error((error as Error).stack);
  else if (!isExpectedFailure(error)) console.error('(run again with BRIEFING_DEBUG=1 to see where it failed)');
  process.exitCode = 1;
}
