import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait.js';

/** The built `hookline` bin, as `npx hookline` runs it. */
export const BIN = fileURLToPath(new URL('../../../bin/hookline.js', import.meta.url));

/** A `hookline` child process with its output collected. */
export class HooklineProcess {
  stdout = '';
  stderr = '';
  exitCode: number | null = null;
  signal: NodeJS.Signals | null = null;
  readonly exited: Promise<void>;
  private readonly child: ChildProcess;

  constructor(args: string[], env: Record<string, string | undefined> = {}) {
    const childEnv: Record<string, string | undefined> = {
      ...process.env,
      HOOKLINE_LOG_LEVEL: 'warn',
      ...env,
    };
    for (const key of Object.keys(childEnv)) if (childEnv[key] === undefined) delete childEnv[key];
    this.child = spawn(process.execPath, [BIN, ...args], {
      env: childEnv as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (d: Buffer) => (this.stdout += d.toString()));
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code, signal) => {
        this.exitCode = code;
        this.signal = signal;
        resolve();
      }),
    );
  }

  /** Wait for the `hookline listening on URL` line and return the URL. */
  async listening(timeoutMs = 15_000): Promise<string> {
    const match = await waitFor(
      () =>
        /hookline listening on (http:\/\/\S+)/.exec(this.stdout) ??
        (this.exitCode !== null
          ? Promise.reject(new Error(`exited ${this.exitCode}: ${this.stderr}`))
          : null),
      'hookline to listen',
      timeoutMs,
    );
    return match[1]!;
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  async stop(): Promise<void> {
    if (this.exitCode === null && this.signal === null) this.kill('SIGKILL');
    await this.exited;
  }
}
