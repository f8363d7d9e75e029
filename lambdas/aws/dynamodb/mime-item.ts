import * as z from 'zod/mini';

/** A MIME skeleton (`MimeSkeleton`) as the editions and variants tables hold it: a map, its parts a list of strings. */
export const mimeSkeletonItem = z.object({
  parts: z.array(z.string()),
  messageIdDomain: z.string(),
  unsubscribeMailto: z.optional(z.string()),
});
