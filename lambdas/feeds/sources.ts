// zod/mini: the config is parsed in every Lambda, and the mini build keeps zod's share of a bundle small.
import * as z from 'zod/mini';

// A CMS may serve its feed over plain http on an internal host; item links must still be https (the record schema).
const feedUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });

export const feedSourceSchema = z.object({
  url: feedUrl,
  /** For the items that carry no category of their own. */
  category: z.string().check(z.trim(), z.minLength(1), z.maxLength(40), z.regex(/^[^\r\n]*$/, 'must be a single line')),
});

/** Config key `feeds`: the feeds the poller reads, none by default. */
export const feedSourcesSchema = z._default(z.array(feedSourceSchema), []);

export type FeedSource = z.infer<typeof feedSourceSchema>;
