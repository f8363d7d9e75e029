import { benchBundles } from './bundles.ts';
import { benchComposeScale } from './compose-scale.ts';
import { benchFeeds } from './feeds.ts';
import { benchPreview } from './preview.ts';
import { benchRender } from './render.ts';
import { benchSending } from './sending.ts';
import { benchSubscribe } from './subscribe.ts';
import { benchSubscribeTiming } from './subscribe-timing.ts';
import { benchSubscriberImport } from './subscriber-import.ts';
import { benchTopics } from './topics.ts';

// The AWS SDK's Node 20 support-window notice, off here and in the processes the benches start, as in the CLI.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// Each issue's bench, by name; `npm run bench -- render` runs just one.
const benches: Record<string, () => Promise<void>> = {
  render: benchRender,
  sending: benchSending,
  bundles: benchBundles,
  preview: benchPreview,
  subscribe: benchSubscribe,
  'subscribe-timing': benchSubscribeTiming,
  feeds: benchFeeds,
  'subscriber-import': benchSubscriberImport,
  'compose-scale': benchComposeScale,
  topics: benchTopics,
};

const wanted = process.argv.slice(2);
for (const [name, bench] of Object.entries(benches)) {
  if (wanted.length === 0 || wanted.includes(name)) await bench();
}
