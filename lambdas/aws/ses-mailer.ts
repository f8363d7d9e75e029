import { SendRawEmailCommand, type SESClient } from '@aws-sdk/client-ses';
import { type Mailer, SendError } from '../mail/mailer.ts';
import { classifySendError } from './ses-errors.ts';

export interface SesMailerOptions {
  /** The SES configuration set every message goes out with (its events feed the feedback function). */
  readonly configurationSet?: string;
  /** The From address: tells a sender SES has not verified from a recipient it has not (sandbox). */
  readonly sender?: string;
}

/**
 * The SES implementation of the mailer port: `SendRawEmail`, with SES's errors turned into SendErrors.
 *
 * The client should be built with `maxAttempts: 1` (see `createSesClient`): the SDK's own retries would
 * resend throttled and timed-out requests outside the send-rate budget and outside the caller's retry
 * policy, which is where the decision to send again belongs.
 */
export const sesMailer = (client: SESClient, options: SesMailerOptions = {}): Mailer => ({
  async send(raw, { destinations, tags }) {
    let messageId: string | undefined;
    try {
      const output = await client.send(
        new SendRawEmailCommand({
          RawMessage: { Data: raw },
          Destinations: [...destinations],
          ConfigurationSetName: options.configurationSet,
          Tags: tags && Object.entries(tags).map(([Name, Value]) => ({ Name, Value })),
        }),
      );
      messageId = output.MessageId;
    } catch (error) {
      throw classifySendError(error, { sender: options.sender });
    }
    // SES may have sent it: stopping (to be resumed) is safer than marking the recipient either way.
    if (!messageId) throw new SendError('stop', 'NoMessageId', 'SES accepted the message but returned no MessageId');
    return messageId;
  },
});
