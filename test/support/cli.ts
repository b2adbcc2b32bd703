// The CLI in-process, through `run(argv, io)`: exit code and what it wrote.
import { run } from '../../src/cli/main';

/** Runs `cdk8s-cilium <argv>` in-process and collects its output. */
export function cli(...argv: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const code = run(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}
