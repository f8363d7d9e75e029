import { Command } from 'commander';
import { registerRender } from './render.ts';

const program = new Command()
  .name('briefing')
  .description('Turn article records into a briefing email and send it to subscribers.')
  .showHelpAfterError('(run with --help for usage)');

registerRender(program);

await program.parseAsync(process.argv);
