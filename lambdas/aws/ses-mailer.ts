import { SendRawEmailCommand, type SESClient } from '@aws-sdk/client-ses';

export interface SendRawOptions {
  /** The envelope recipients; SES delivers to these, whatever the To header says. */
  readonly destinations: readonly string[];
  readonly configurationSet?: string;
  /** SES message tags, returned in the configuration set's bounce and complaint events (`mail.tags`). */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * Hands one raw MIME message to SES (`SendRawEmail`) and returns the SES message id.
 *
 * The client should be built with `maxAttempts: 1`: the SDK's own retries would resend throttled and
 * timed-out requests outside the send-rate budget and outside the caller's retry policy
 * (`withRetry` with `classifySendError`), which is where the decision to send again belongs.
 */
export const sendRaw = async (client: SESClient, rawMime: Uint8Array, options: SendRawOptions): Promise<string> => {
  const output = await client.send(
    new SendRawEmailCommand({
      RawMessage: { Data: rawMime },
      Destinations: [...options.destinations],
      ConfigurationSetName: options.configurationSet,
      Tags: options.tags && Object.entries(options.tags).map(([Name, Value]) => ({ Name, Value })),
    }),
  );
  if (!output.MessageId) throw new Error('SES accepted the message but returned no MessageId');
  return output.MessageId;
};
