import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { storyHeadlines } from '../../lambdas/aws/dynamodb/story-headlines.ts';
import { useTestEmulators } from '../helpers/emulators.ts';

const local = useTestEmulators();

describe('storyHeadlines (the edition report stories of deliver and feedback)', () => {
  it('reads the headline and link of each story in the order asked, an unknown id or a headline that is not text standing alone', async () => {
    const table = local.emulators.tables.articles;
    const put = (item: Record<string, unknown>) => local.emulators.doc.send(new PutCommand({ TableName: table, Item: item }));
    await put({ id: 'lead', headline: 'Lead story', url: 'https://example.com/lead', summary: 'not read' });
    await put({ id: 'second', headline: 'Second story' });
    await put({ id: 'odd', headline: 7, url: 'https://example.com/odd' });

    const stories = await storyHeadlines(local.emulators.doc, table)(['lead', 'gone', 'second', 'odd', 'lead']);

    expect(stories).toEqual([
      { id: 'lead', headline: 'Lead story', url: 'https://example.com/lead' },
      { id: 'gone' },
      { id: 'second', headline: 'Second story', url: undefined },
      { id: 'odd' },
      { id: 'lead', headline: 'Lead story', url: 'https://example.com/lead' },
    ]);
  });
});
