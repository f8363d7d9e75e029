import { beforeAll, describe, expect, it } from 'vitest';
import { bundleBoundaryBreaches, bundleInputs, sourceBoundaryBreaches, typeScriptFiles } from './imports.ts';

// Nothing under lambdas/ may reach local/, bin/, test/, bench/ or lib/, nor a package that only the developer's machine
// uses (devDependencies, emulators, the CLI's own packages): checked in the source, where a type-only import also
// counts, and in each bundle as deployed, where whatever esbuild pulled in counts.

const fixtureHome = 'test/architecture/fixtures/lambdas';
const fixtureHandler = `${fixtureHome}/handlers/breaks-boundaries.ts`;

describe('the modules under lambdas/', () => {
  it('import only each other, node built-ins and the runtime dependencies a Lambda may load', async () => {
    expect(await sourceBoundaryBreaches(await typeScriptFiles('lambdas'), 'lambdas')).toEqual([]);
  });
});

describe('the bundles of lambdas/handlers/', () => {
  let inputs: Map<string, string[]>;
  beforeAll(async () => {
    // Every file of the folder, so a new handler is checked without being listed here.
    inputs = await bundleInputs(await typeScriptFiles('lambdas/handlers'));
  });

  it('include the four handlers the stack deploys', () => {
    expect([...inputs.keys()]).toEqual(
      expect.arrayContaining(['lambdas/handlers/compose.ts', 'lambdas/handlers/deliver.ts', 'lambdas/handlers/feedback.ts', 'lambdas/handlers/subscription-api.ts']),
    );
  });

  it("keep nodemailer's MIME builder (MailComposer, its MIME tree and MIME-types table) out of deliver and feedback, which fill compose's compiled MIME and mail reports through SES", () => {
    const mimeBuilder = (bundled: readonly string[]) => bundled.filter((input) => /node_modules\/nodemailer\/.*\/(mail-composer|mime-node)\/|node_modules\/nodemailer\/.*\/mime-types\.js$/.test(input));

    // Compose compiles the MIME, so its bundle shows what the check looks for.
    expect(mimeBuilder(inputs.get('lambdas/handlers/compose.ts')!)).toEqual(expect.arrayContaining([expect.stringContaining('mail-composer/'), expect.stringContaining('mime-types.js')]));
    for (const entry of ['lambdas/handlers/deliver.ts', 'lambdas/handlers/feedback.ts']) expect(mimeBuilder(inputs.get(entry)!), entry).toEqual([]);
  });

  it("hold nothing from outside lambdas/ and no package for the developer's machine only", () => {
    for (const [entry, bundled] of inputs) {
      expect(bundled, entry).toContain(entry);
      expect(bundleBoundaryBreaches(entry, bundled, 'lambdas')).toEqual([]);
    }
  });
});

describe('the boundary checks', () => {
  it('name each import of a handler that reaches local-only code or a machine-only package, type-only ones included', async () => {
    expect(await sourceBoundaryBreaches([fixtureHandler], fixtureHome)).toEqual([
      `${fixtureHandler} imports 'chokidar': chokidar is for the developer's machine only`,
      `${fixtureHandler} imports 'mailparser': mailparser is for the developer's machine only`,
      `${fixtureHandler} imports '../../local/emulator.ts', which is test/architecture/fixtures/local/emulator.ts, outside ${fixtureHome}/`,
    ]);
  });

  it("name what such a handler's bundle holds from outside its folder and from machine-only packages", async () => {
    const bundled = (await bundleInputs([fixtureHandler])).get(fixtureHandler)!;

    const breaches = bundleBoundaryBreaches(fixtureHandler, bundled, fixtureHome);

    // mailparser was imported for its types alone, so esbuild left it out: only the source check sees it.
    expect(breaches).toEqual([
      `${fixtureHandler} bundles test/architecture/fixtures/local/emulator.ts, outside ${fixtureHome}/`,
      `${fixtureHandler} bundles chokidar, which is for the developer's machine only`,
    ]);
  });
});
