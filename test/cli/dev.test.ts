import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const entry = resolve(import.meta.dirname, '../../bin/briefing.js');

describe('npm start (briefing dev)', () => {
  it('comes up, puts a real briefing in the local inbox, and ends cleanly on Ctrl-C', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'briefing-dev-'));
    // Port 0 everywhere: the test must not collide with a developer's running `npm start`.
    const child = spawn(process.execPath, [entry, 'dev'], {
      cwd,
      env: { ...process.env, BRIEFING_API_PORT: '0', BRIEFING_PREVIEW_PORT: '0', BRIEFING_SES_PORT: '0', BRIEFING_DYNAMODB_PORT: '0' },
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolveExit) => child.on('exit', (code) => resolveExit(code)));

    await expect.poll(() => output, { timeout: 60_000, interval: 200 }).toContain('Ctrl-C to stop');
    const inboxUrl = /Inbox \(local SES\)\s+(\S+)/.exec(output)![1]!;
    const previewUrl = /Template preview\s+(\S+)/.exec(output)![1]!;
    const { emails } = (await (await fetch(`${inboxUrl}store`)).json()) as { emails: { subject: string; destination: { to: string[] }; body: { html?: string } }[] };
    const preview = await fetch(previewUrl);

    expect(output).toContain('First run: imported 10 sample articles');
    expect(emails.map((email) => email.destination.to[0]).sort()).toEqual(['ada@example.com', 'grace@example.org', 'linus@example.net']);
    expect(emails[0]!.subject).toBe('Climate summit ends with a deal on the loss and damage fund after an…');
    expect(emails[0]!.body.html).toContain('What do you need to know?');
    expect(preview.status).toBe(200);
    const signupUrl = /Sign-up page\s+(\S+)/.exec(output)![1]!;
    expect(await (await fetch(signupUrl)).text()).toContain('<form');
    expect(emails[0]!.body.html).toContain(`${new URL(signupUrl).origin}/unsubscribe?token=`);

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output).toContain('stopping; local data kept');
  }, 90_000);
});
