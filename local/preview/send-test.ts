import type { SESClient } from '@aws-sdk/client-ses';
import { createSesClient } from '../../lambdas/aws/clients.ts';
import type { BriefingConfig } from '../../lambdas/config/config.ts';
import { type EmulatorOptions, type Emulators, startEmulators } from '../emulators.ts';
import { briefingEnvelope } from '../../lambdas/mail/briefing-mime.ts';
import { sesMailer } from '../../lambdas/aws/ses-mailer.ts';
import { MimeError } from '../../lambdas/mail/headers.ts';
import { buildMime } from '../../lambdas/mail/mime.ts';
import type { PreviewOutput } from './template.ts';

export interface SentTest {
  readonly messageId: string;
  /** The local SES inbox, where the copy can be read. */
  readonly inboxUrl: string;
}

export interface TestMailer {
  send(output: PreviewOutput, config: BriefingConfig, to: string): Promise<SentTest>;
  close(): Promise<void>;
}

/** The mailer refuses the message as given (a bad recipient or sender address): a mistake to fix, not a failure. */
export class RefusedTestError extends Error {
  override name = 'RefusedTestError';
}

/**
 * Sends the email as shown through the real mailer (MIME builder and SendRawEmail) to the local SES emulator:
 * the one already running, or one started on first use and stopped by `close()`.
 */
export const localTestMailer = (options: Pick<EmulatorOptions, 'ports' | 'dataDir'>): TestMailer => {
  let connection: Promise<{ emulators: Emulators; ses: SESClient }> | undefined;
  const connect = () =>
    (connection ??= startEmulators(options).then(
      (emulators) => ({ emulators, ses: createSesClient(emulators.settings) }),
      (error: unknown) => {
        connection = undefined;
        throw error;
      },
    ));

  return {
    async send(output, config, to) {
      if (output.subject === undefined || output.text === undefined || output.unsubscribeUrl === undefined) {
        throw new Error('only emails can be sent as a test');
      }
      let raw: Buffer;
      try {
        raw = await buildMime({
          ...briefingEnvelope(config),
          subject: output.subject,
          html: output.html,
          text: output.text,
          to: to.trim(),
          unsubscribeUrl: output.unsubscribeUrl,
        });
      } catch (error) {
        throw error instanceof MimeError ? new RefusedTestError(error.message) : error;
      }
      const { emulators, ses } = await connect();
      const messageId = await sesMailer(ses).send(raw, { destinations: [to.trim()] });
      return { messageId, inboxUrl: emulators.inboxUrl };
    },
    async close() {
      if (!connection) return;
      const { emulators, ses } = await connection.catch(() => ({ emulators: undefined, ses: undefined }));
      ses?.destroy();
      await emulators?.close();
    },
  };
};
