import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { REPO_ROOT } from '../support/process-hub.js';

/** The README's walkthrough, exactly as written between its markers. */
export async function readmeWalkthrough(): Promise<string> {
  const readme = await readFile(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const block = readme.split('<!-- walkthrough:start -->')[1]?.split('<!-- walkthrough:end -->')[0];
  const script = block?.match(/```sh\n([\s\S]*?)```/)?.[1];
  if (!script) throw new Error('README.md has no walkthrough block');
  return script;
}

export interface WalkthroughRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the walkthrough with bash from the repository folder, as a reader would; never rejects. */
export async function runWalkthrough(env: Record<string, string>): Promise<WalkthroughRun> {
  const script = await readmeWalkthrough();
  return new Promise((resolve) => {
    execFile('bash', ['-c', script], { cwd: REPO_ROOT, env: { ...process.env, ...env }, timeout: 110_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** The one-line command the README gives for running the walkthrough straight from the file. */
export async function readmeExtractCommand(): Promise<string> {
  const readme = await readFile(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const line = readme.split('\n').find((l) => l.startsWith("awk '/^<!-- walkthrough:end/") && l.endsWith('README.md | bash'));
  if (!line) throw new Error('README.md has no command that runs the walkthrough from the file');
  return line.slice(0, -' | bash'.length);
}

/** Runs a shell command from the repository folder and returns its output. */
export function shell(command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('sh', ['-c', command], { cwd: REPO_ROOT }, (error, stdout) => (error ? reject(error) : resolve(stdout)));
  });
}
