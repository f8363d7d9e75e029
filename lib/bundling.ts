import type { BuildOptions } from 'esbuild';

/**
 * The esbuild settings of every Lambda bundle, in one place: `BriefingFunction` hands them to
 * `NodejsFunction` and the bundle bench hands them to esbuild directly, so the bench measures
 * what is deployed.
 */
export const bundleSettings = {
  /** The Lambda runtime's Node major (`Runtime.NODEJS_22_X`). */
  target: 'node22',
  /** `module` first, so packages that ship ES modules (the AWS SDK v3) are tree-shaken. */
  mainFields: ['module', 'main'],
  minify: true,
  sourceMap: true,
  // Stack traces only need names and positions; leaving the sources out keeps the maps small.
  sourcesContent: false,
  // ES module output, but some dependencies are CommonJS and call require(): give them one.
  banner: "import { createRequire as briefingCreateRequire } from 'node:module'; const require = briefingCreateRequire(import.meta.url);",
  externalModules: [
    // cosmiconfig (through MJML's htmlnano) loads TypeScript only for a *.ts config file, which a
    // bundle never has; bundling it would add 3.5 MB to every function that renders MJML.
    'typescript',
    // Lambda gives every function its role's credentials in environment variables, which the
    // SDK's first credential provider reads. The others (profiles, SSO, web identity, container
    // and instance metadata) are imported dynamically only when that one finds nothing, so they
    // and the STS/SSO clients they use stay out of the bundles (~90 KB, deliver's budget is 500).
    '@aws-sdk/credential-provider-ini',
    '@aws-sdk/credential-provider-sso',
    '@aws-sdk/credential-provider-process',
    '@aws-sdk/credential-provider-web-identity',
    '@aws-sdk/credential-provider-http',
    '@smithy/credential-provider-imds',
  ],
} as const;

/** The same settings as esbuild build options, for building a bundle outside CDK. */
export const esbuildOptions = (entry: string, outfile: string): BuildOptions => ({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: bundleSettings.target,
  mainFields: [...bundleSettings.mainFields],
  minify: bundleSettings.minify,
  sourcemap: bundleSettings.sourceMap,
  sourcesContent: bundleSettings.sourcesContent,
  banner: { js: bundleSettings.banner },
  external: [...bundleSettings.externalModules],
  logLevel: 'warning',
});
