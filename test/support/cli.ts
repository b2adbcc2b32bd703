// The CLI in-process, through `run(argv, io)` (or `runAsync` for the asynchronous commands): exit code and what it wrote.
import { run, runAsync } from '../../src/cli/main';

/** What a run of the CLI returned and wrote. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `cdk8s-cilium <argv>` in-process and collects its output. */
export function cli(...argv: string[]): CliRun {
  let stdout = '';
  let stderr = '';
  const code = run(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

/** Runs `cdk8s-cilium <argv>` in-process through `runAsync` (replay, draft, diff, report) and collects its output. */
export async function cliAsync(...argv: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runAsync(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}
