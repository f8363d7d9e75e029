import { type BriefingMime, briefingMime } from '../../lambdas/mail/briefing-mime.ts';
import { compileSkeleton, type MailEnvelope } from '../../lambdas/mail/mime.ts';
import type { RenderedBriefing } from '../../lambdas/render/briefing.ts';

/**
 * A briefing's MIME as deliver sends it: the skeleton compose compiles and stores (passed through JSON, as the store
 * keeps plain data), filled in with the briefing per recipient.
 */
export const deliveredMime = async (rendered: RenderedBriefing, envelope: MailEnvelope): Promise<BriefingMime> =>
  briefingMime(rendered, JSON.parse(JSON.stringify(await compileSkeleton(envelope, rendered.subject))));
