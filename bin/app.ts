import { App } from 'aws-cdk-lib';
import { BriefingStack } from '../lib/briefing-stack.ts';
import { InfraConfigError, parseInfraConfig } from '../lib/config.ts';

const app = new App();
let config;
try {
  config = parseInfraConfig((key) => app.node.tryGetContext(key));
} catch (error) {
  if (!(error instanceof InfraConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
// No lookups: account and region come from the CLI's profile when it has one, else stay
// unresolved, so `cdk synth` works offline on a fresh clone.
new BriefingStack(app, config.stackName, {
  config,
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  description: `Briefing newsletter "${config.newsletterName}" (${config.domain})`,
});
