import { readdir, readFile } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { join, relative, resolve, sep } from 'node:path';
import { build } from 'esbuild';
import ts from 'typescript';
import { esbuildOptions } from '../../lib/bundling.ts';

const projectRoot = resolve(import.meta.dirname, '../..');

const manifest = JSON.parse(await readFile(join(projectRoot, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/**
 * Packages a Lambda must never load: every devDependency, and the runtime dependencies that only the
 * developer's machine uses (the emulators and file watching behind `npm start`, the CLI's argument parser,
 * progress bars and TypeScript loader).
 */
const machineOnlyPackages: ReadonlySet<string> = new Set([
  ...Object.keys(manifest.devDependencies),
  'aws-ses-v2-local',
  'dynalite',
  'chokidar',
  'commander',
  'cli-progress',
  'tsx',
]);

/** What a Lambda module may import from node_modules: the runtime dependencies that are not machine-only. */
const lambdaPackages = new Set(Object.keys(manifest.dependencies).filter((name) => !machineOnlyPackages.has(name)));

/** The package a path inside node_modules belongs to (the innermost, for nested copies). */
const packageOf = (path: string): string => {
  const parts = path.split(/[\\/]/);
  const at = parts.lastIndexOf('node_modules') + 1;
  return parts[at]!.startsWith('@') ? `${parts[at]}/${parts[at + 1]}` : parts[at]!;
};

/** Every .ts file below `dir`, as paths relative to the project root. */
export const typeScriptFiles = async (dir: string): Promise<string[]> =>
  (await readdir(join(projectRoot, dir), { recursive: true }))
    .filter((name) => name.endsWith('.ts'))
    .map((name) => join(dir, name).split(sep).join('/'))
    .sort();

const compilerOptions = (() => {
  const parsed = ts.getParsedCommandLineOfConfigFile(join(projectRoot, 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    },
  });
  return parsed!.options;
})();
const resolutionCache = ts.createModuleResolutionCache(projectRoot, (name) => name, compilerOptions);

/**
 * The imports of each file that break the boundary of `home` (a folder relative to the project root):
 * a file outside it, or a package a Lambda must not load or that package.json does not declare.
 * Every specifier is resolved as the TypeScript compiler does, type-only imports, re-exports and
 * dynamic `import()` included; node's built-ins are allowed, and `@types/*` packages, which only types can reach.
 */
export const sourceBoundaryBreaches = async (files: readonly string[], home: string): Promise<string[]> => {
  const breaches: string[] = [];
  for (const file of files) {
    const path = join(projectRoot, file);
    const { importedFiles } = ts.preProcessFile(await readFile(path, 'utf8'), true, true);
    for (const { fileName: specifier } of importedFiles) {
      if (isBuiltin(specifier)) continue;
      const { resolvedModule } = ts.resolveModuleName(specifier, path, compilerOptions, ts.sys, resolutionCache);
      if (!resolvedModule) {
        breaches.push(`${file} imports '${specifier}', which does not resolve`);
      } else if (resolvedModule.isExternalLibraryImport) {
        const name = packageOf(resolvedModule.resolvedFileName);
        if (name.startsWith('@types/')) continue;
        if (machineOnlyPackages.has(name)) breaches.push(`${file} imports '${specifier}': ${name} is for the developer's machine only`);
        else if (!lambdaPackages.has(name)) breaches.push(`${file} imports '${specifier}': ${name} is not a dependency in package.json`);
      } else {
        const target = relative(projectRoot, resolvedModule.resolvedFileName).split(sep).join('/');
        if (!target.startsWith(`${home}/`)) breaches.push(`${file} imports '${specifier}', which is ${target}, outside ${home}/`);
      }
    }
  }
  return breaches;
};

/**
 * The inputs of each entry's bundle, by entry (relative to the project root), from the metafile of an
 * in-memory build with the deployed esbuild settings. One build for all entries, so shared modules are
 * parsed once; without code splitting each output is the bundle that entry alone would give.
 */
export const bundleInputs = async (entries: readonly string[]): Promise<Map<string, string[]>> => {
  const { metafile } = await build({
    ...esbuildOptions(entries[0]!, 'unused.mjs'),
    entryPoints: [...entries],
    outfile: undefined,
    outdir: 'bundles',
    absWorkingDir: projectRoot,
    metafile: true,
    write: false,
    logLevel: 'silent',
  });
  return new Map(Object.values(metafile.outputs).flatMap((output) => (output.entryPoint ? [[output.entryPoint, Object.keys(output.inputs)]] : [])));
};

/** What a bundle holds from outside `home` and node_modules (each file), or from a package a Lambda must not load (each package). */
export const bundleBoundaryBreaches = (entry: string, inputs: readonly string[], home: string): string[] => {
  const packages = new Set(inputs.filter((input) => input.includes('node_modules/')).map(packageOf));
  return [
    ...inputs.filter((input) => !input.includes('node_modules/') && !input.startsWith(`${home}/`)).map((input) => `${entry} bundles ${input}, outside ${home}/`),
    ...[...packages].filter((name) => machineOnlyPackages.has(name)).map((name) => `${entry} bundles ${name}, which is for the developer's machine only`),
  ];
};
