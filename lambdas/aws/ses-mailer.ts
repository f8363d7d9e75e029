import { SendEmailCommand, SendRawEmailCommand, type SESClient } from '@aws-sdk/client-ses';
import { type Mailer, SendError, type SendOptions, type SimpleMailer } from '../mail/mailer.ts';
import { classifySendError } from './ses-errors.ts';

export interface SesMailerOptions {
  /** The SES configuration set every message goes out with (its events feed the feedback function). */
  readonly configurationSet?: string;
  /** The From address: tells a sender SES has not verified from a recipient it has not (sandbox). */
  readonly sender?: string;
}

const messageTags = (tags: SendOptions['tags']) => tags && Object.entries(tags).map(([Name, Value]) => ({ Name, Value }));

/**
 * The SES implementation of the mailer ports: `SendRawEmail` for the MIME we build, `SendEmail` for the simple
 * messages SES composes, with SES's errors turned into SendErrors.
 *
 * The client should be built with `maxAttempts: 1` (see `createSesClient`): the SDK's own retries would
 * resend throttled and timed-out requests outside the send-rate budget and outside the caller's retry
 * policy, which is where the decision to send again belongs.
 */
export const sesMailer = (client: SESClient, options: SesMailerOptions = {}): Mailer & SimpleMailer => {
  /** One SES call's message id, or its error as a SendError. */
  const taken = async (call: () => Promise<{ readonly MessageId?: string }>): Promise<string> => {
    let messageId: string | undefined;
    try {
      messageId = (await call()).MessageId;
    } catch (error) {
      throw classifySendError(error, { sender: options.sender });
    }
    // SES may have sent it: stopping (to be resumed) is safer than marking the recipient either way.
    if (!messageId) throw new SendError('stop', 'NoMessageId', 'SES accepted the message but returned no MessageId');
    return messageId;
  };
  return {
    send: (raw, { destinations, tags }) =>
      taken(() =>
        client.send(new SendRawEmailCommand({ RawMessage: { Data: raw }, Destinations: [...destinations], ConfigurationSetName: options.configurationSet, Tags: messageTags(tags) })),
      ),

    sendSimple: (message, { tags }) =>
      taken(() =>
        client.send(
          new SendEmailCommand({
            Source: message.from,
            Destination: { ToAddresses: [message.to] },
            ReplyToAddresses: message.replyTo === undefined ? undefined : [message.replyTo],
            Message: {
              Subject: { Data: message.subject, Charset: 'UTF-8' },
              Body: { Text: { Data: message.text, Charset: 'UTF-8' }, Html: { Data: message.html, Charset: 'UTF-8' } },
            },
            ConfigurationSetName: options.configurationSet,
            Tags: messageTags(tags),
          }),
        ),
      ),
  };
};
