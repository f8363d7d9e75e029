// The bench's server process: emulators in memory and the subscription routes, as `briefing dev` runs them.
import { createDocumentClient, createSesClient } from '../lambdas/aws/clients.ts';
import { sesMailer } from '../lambdas/aws/ses-mailer.ts';
import { parseConfig } from '../lambdas/config/config.ts';
import { startApiServer } from '../local/api-server.ts';
import { startEmulators } from '../local/emulators.ts';
import { createStores } from '../lambdas/aws/dynamodb/stores.ts';
import { tableNamesFromEnv } from '../lambdas/aws/dynamodb/tables.ts';
import { ensureTables } from '../local/tables.ts';
import { createSubscriptionDeps } from '../lambdas/subscription/deps.ts';

const emulators = await startEmulators({ ports: { dynamodb: 0, ses: 0 }, reuseRunning: false });
const doc = createDocumentClient(emulators.settings);
const tables = tableNamesFromEnv({}, 'bench');
await ensureTables(doc, tables);
const deps = createSubscriptionDeps({ config: parseConfig({}), stores: createStores(doc, tables), mailer: sesMailer(createSesClient(emulators.settings)), secret: 'bench-secret' });
// One load generator is one client: the per-client limit would turn the run into 429s.
const server = await startApiServer({ port: 0, deps, rateLimit: false });

process.stdout.write(`${JSON.stringify({ url: server.url, settings: emulators.settings, tables })}\n`);
process.once('SIGTERM', async () => {
  await server.close();
  await emulators.close();
  process.exit(0);
});
