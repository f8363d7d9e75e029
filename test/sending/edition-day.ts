import { beforeEach } from 'vitest';
import type { SubscriberStatus } from '../../lambdas/subscription/store.ts';
import { article } from '../helpers/articles.ts';
import { useTestEmulators } from '../helpers/emulators.ts';

/** The edition the sending tests send, of the day the stories below were published. */
export const editionId = '2026-11-24';

/**
 * The emulators for one sending test file, each test starting with the day's two stories: `lead`, headlined
 * `leadHeadline` and of the higher priority, then `second`. `addSubscribers` puts readers on the list.
 */
export const useEditionDay = (leadHeadline: string) => {
  const local = useTestEmulators();
  beforeEach(async () => {
    await local.stores.articles.put([
      article({ id: 'lead', headline: leadHeadline, priority: 5, publishedAt: '2026-11-24T05:00:00Z' }),
      article({ id: 'second', publishedAt: '2026-11-24T04:00:00Z' }),
    ]);
  });

  /** `count` subscribers in `status`, addressed `<prefix>0@example.org` on; their addresses. */
  const addSubscribers = async (count: number, status: SubscriberStatus = 'active', prefix = 'reader') => {
    const emails = Array.from({ length: count }, (_, index) => `${prefix}${index}@example.org`);
    await local.stores.subscribers.addMany(emails.map((email) => ({ email, status, reason: 'test' })));
    return emails;
  };

  return { local, addSubscribers };
};
