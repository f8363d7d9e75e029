import { relative, resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { type LocalPorts, localDataDir, localPorts } from '../../local/emulators.ts';
import { localArticleStore } from '../../local/preview/local-store.ts';
import { localTestMailer } from '../../local/preview/send-test.ts';
import { type PreviewServer, startPreviewServer } from '../../local/preview/server.ts';
import { defaultTemplatesDir } from '../../lambdas/render/engine.ts';
import { tableNamesFromEnv } from '../../lambdas/aws/dynamodb/tables.ts';
import { samplesDir } from './shared.ts';

export interface StartPreviewOptions {
  /** Loopback port, 0 for any free one. @default localPorts().preview (3001, BRIEFING_PREVIEW_PORT) */
  readonly port?: number;
  /** A JSON file or folder offered as a data set, and shown first. */
  readonly articles?: string;
  /** @default defaultTemplatesDir() (BRIEFING_TEMPLATES_DIR, else the shipped templates) */
  readonly templatesDir?: string;
  /** @default samples/articles */
  readonly samplesDir?: string;
  /** @default BRIEFING_CONFIG, else briefing.config.json in the working directory */
  readonly configFile?: string;
  /** Where the local emulators listen (test sends, the article store). @default localPorts() */
  readonly emulatorPorts?: Pick<LocalPorts, 'ses' | 'dynamodb'>;
  /** The emulators' data folder, should a test send start them. @default localDataDir() */
  readonly dataDir?: string;
  /** @default tableNamesFromEnv().articles */
  readonly articlesTable?: string;
}

/** Starts the preview server with the local defaults; `briefing dev` calls this too. */
export const startPreview = (options: StartPreviewOptions = {}): Promise<PreviewServer> => {
  const ports = localPorts();
  const emulatorPorts = options.emulatorPorts ?? ports;
  return startPreviewServer({
    port: options.port ?? ports.preview,
    templatesDir: options.templatesDir ?? defaultTemplatesDir(),
    samplesDir: options.samplesDir ?? samplesDir,
    articlesPath: options.articles && resolve(options.articles),
    configFile: options.configFile ?? process.env.BRIEFING_CONFIG,
    store: localArticleStore({ endpoint: `http://127.0.0.1:${emulatorPorts.dynamodb}`, tableName: options.articlesTable ?? tableNamesFromEnv().articles }),
    mailer: localTestMailer({ ports: emulatorPorts, dataDir: options.dataDir ?? localDataDir() }),
  });
};

const port = (value: string): number => {
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed > 65_535) throw new InvalidArgumentError('expected a port number (0–65535)');
  return parsed;
};

const preview = async (options: { port?: number; articles?: string }): Promise<void> => {
  const server = await startPreview(options);
  const templates = relative(process.cwd(), defaultTemplatesDir()) || '.';
  console.log(`Preview on ${server.url} — following ${templates}/, the samples and the config. Ctrl-C to stop.`);
  process.once('SIGINT', () => {
    void server.close().then(() => process.exit(0));
  });
};

export const registerPreview = (program: Command): void => {
  program
    .command('preview')
    .description('Preview the templates in a browser, live: the page follows every saved template, data or config file.')
    .option('-p, --port <n>', 'port on 127.0.0.1 (default: 3001 or BRIEFING_PREVIEW_PORT)', port)
    .option('-a, --articles <path>', 'also offer this JSON file or folder of article records as a data set')
    .addHelpText(
      'after',
      `
The page renders through the same functions the sender uses. "Send test" mails the shown email
through the mailer to the local SES inbox (the running one, or one started on first use).
Set BRIEFING_TEMPLATES_DIR to preview templates kept elsewhere.

Examples:
  $ npx briefing preview
  $ npx briefing preview --port 4000 --articles ./today`,
    )
    .action(preview);
};
