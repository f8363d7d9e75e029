import type { LoadedArticles } from '../article-files.ts';
import { createDocumentClient } from '../../lambdas/aws/clients.ts';
import { createArticleStore } from '../../lambdas/aws/dynamodb/articles.ts';

/** The article store of the local DynamoDB emulator, offered as a data set only while something answers on its port. */
export interface LocalArticleStore {
  readonly label: string;
  reachable(): Promise<boolean>;
  list(): Promise<LoadedArticles>;
  close(): void;
}

export const localArticleStore = (options: { endpoint: string; tableName: string }): LocalArticleStore => {
  // Created on first use: most preview sessions never touch the store.
  let doc: ReturnType<typeof createDocumentClient> | undefined;
  return {
    label: `Local store (table ${options.tableName})`,
    async reachable() {
      try {
        await fetch(options.endpoint, { signal: AbortSignal.timeout(500) });
        return true;
      } catch {
        return false;
      }
    },
    async list() {
      doc ??= createDocumentClient({ dynamodbEndpoint: options.endpoint });
      try {
        return await createArticleStore(doc, options.tableName).list();
      } catch (error) {
        if ((error as Error).name !== 'ResourceNotFoundException') throw error;
        throw new Error(`the local store has no table ${options.tableName} yet: load records with "briefing articles import PATH"`);
      }
    },
    close() {
      doc?.destroy();
    },
  };
};
