import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { createWorkspace, type Workspace } from './workspace.ts';

const entry = resolve(import.meta.dirname, '../../bin/briefing.js');
let workspace: Workspace;

beforeEach(() => {
  workspace = createWorkspace();
});
afterEach(() => workspace.remove());

describe('briefing preview', () => {
  it('serves the preview of the templates in BRIEFING_TEMPLATES_DIR until Ctrl-C, then exits cleanly', async () => {
    // Prepare: emulator ports nobody listens on, so the command touches no running local service.
    const child = spawn(process.execPath, [entry, 'preview', '--port', '0'], {
      cwd: workspace.root,
      env: { ...process.env, BRIEFING_TEMPLATES_DIR: workspace.templatesDir, BRIEFING_DYNAMODB_PORT: '1', BRIEFING_SES_PORT: '2' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolveExit) => child.on('close', resolveExit));

    // Act
    const url = await new Promise<string>((resolveUrl, reject) => {
      child.stdout.on('data', (chunk) => {
        output += chunk;
        const found = /Preview on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output)?.[1];
        if (found) resolveUrl(found);
      });
      child.on('close', () => reject(new Error(`briefing preview exited: ${output}`)));
    });
    workspace.writeTemplate('partials/masthead.mjml', workspace.template('partials/masthead.mjml').replace('{{ newsletter.name }}', 'From the templates copy'));
    const render = (await (await fetch(`${url}api/render?template=briefing&dataSet=samples`)).json()) as { ok: boolean; html: string };
    child.kill('SIGINT');

    // Assess
    expect(render.ok).toBe(true);
    expect(render.html).toContain('From the templates copy');
    expect(await exited).toBe(0);
  });

  it('refuses a port that is not a number', async () => {
    const result = await runCli(['preview', '--port', 'http']);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('expected a port number');
  });
});
