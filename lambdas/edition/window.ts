/** The publication window an edition draws its stories from: after `from`, up to and including `to`. */
export interface EditionWindow {
  readonly from: Date;
  readonly to: Date;
}

export const defaultWindowHours = 24;

/**
 * Stories published since the previous edition was sent; without one (the first edition, or a
 * previous one too long ago to matter) the `hours` before the send time.
 */
export const editionWindow = (sendTime: Date, previousSentAt?: Date, hours = defaultWindowHours): EditionWindow => {
  const fallback = new Date(sendTime.getTime() - hours * 3_600_000);
  const from = previousSentAt && previousSentAt > fallback && previousSentAt < sendTime ? previousSentAt : fallback;
  return { from, to: sendTime };
};

export const isInWindow = (publishedAt: string, window: EditionWindow): boolean => {
  const time = Date.parse(publishedAt);
  return time > window.from.getTime() && time <= window.to.getTime();
};
