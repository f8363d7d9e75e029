import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export type FixtureName = 'bounce-permanent' | 'bounce-transient' | 'complaint' | 'delivery' | 'send';
export type Envelope = 'sns' | 'eventbridge';

export interface FixtureChanges {
  /** Replaces the one recipient in the record. */
  readonly recipient?: string;
  /** Replaces the bounce's or complaint's feedback id (SES gives each event its own). */
  readonly feedbackId?: string;
  /** The `edition` tag; null leaves the tag out (a mail that is not a briefing). */
  readonly edition?: string | null;
  /** Changes to the bounce or complaint object. */
  readonly detail?: Record<string, unknown>;
}

const dir = resolve(import.meta.dirname, '../fixtures/ses-events');

type SesRecord = Record<string, Record<string, unknown>> & { mail: { destination: string[]; tags: Record<string, string[]> } };

const patch = (record: SesRecord, changes: FixtureChanges): SesRecord => {
  const copy = structuredClone(record);
  const inner = copy.bounce ?? copy.complaint ?? copy.delivery;
  if (changes.recipient) {
    copy.mail.destination = [changes.recipient];
    if (copy.bounce) (copy.bounce.bouncedRecipients as { emailAddress: string }[])[0]!.emailAddress = changes.recipient;
    if (copy.complaint) (copy.complaint.complainedRecipients as { emailAddress: string }[])[0]!.emailAddress = changes.recipient;
    if (copy.delivery) copy.delivery.recipients = [changes.recipient];
  }
  if (changes.feedbackId && inner) inner.feedbackId = changes.feedbackId;
  if (changes.edition === null) delete copy.mail.tags.edition;
  else if (changes.edition) copy.mail.tags.edition = [changes.edition];
  if (changes.detail && inner) Object.assign(inner, changes.detail);
  return copy;
};

/** A documented-shape SES event from `test/fixtures/ses-events/`, as SNS or EventBridge delivers it, with the changes applied. */
export const sesEvent = (name: FixtureName, envelope: Envelope, changes: FixtureChanges = {}): unknown => {
  const event = JSON.parse(readFileSync(resolve(dir, `${name}.${envelope}.json`), 'utf8'));
  if (envelope === 'eventbridge') return { ...event, detail: patch(event.detail, changes) };
  const [record] = event.Records;
  return { Records: [{ ...record, Sns: { ...record.Sns, Message: JSON.stringify(patch(JSON.parse(record.Sns.Message), changes)) } }] };
};
