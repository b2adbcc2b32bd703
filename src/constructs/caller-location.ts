// Where a value-object factory was called from: the one place that inspects stacks (constructs layer only).
import * as path from 'node:path';

/**
 * The file:line of the user code that called into the SDK, for errors raised by value-object factories
 * (which have no construct path).
 */
export function callerLocation(): string | undefined {
  const stack = new Error().stack?.split('\n').slice(1) ?? [];
  for (const line of stack) {
    // Unanchored, with runs: read on this process's own stack only (`Error.stackTraceLimit` frames, each the name of code
    // and a file path, never a value of the input), so its lines are short.
    const m = /\(?((?:[A-Za-z]:)?[^\s()]+):(\d+):(\d+)\)?\s*$/.exec(line.trim());
    if (!m) continue;
    const file = m[1].replace(/^file:\/\//, '');
    if (file.startsWith('node:') || /node_modules/.test(file) || isSdkFile(file)) continue;
    return `${relativeToCwd(file)}:${m[2]}`;
  }
  return undefined;
}

/**
 * Where a refusal is made: a construct path or file:line given as it is, or a function that reads it only when a refusal
 * needs it (`callerLocation` itself, called while the SDK function that got the value is still on the stack). Reading
 * the stack formats every frame of it (through the source maps when they are on, as under tsx): a factory such as
 * `Peer.workload()` paid that on every call, though only a refusal uses it.
 */
export type RefusalLocation = string | undefined | (() => string | undefined);

/** The location of a refusal (`RefusalLocation`), read now. */
export function refusalLocation(at: RefusalLocation): string | undefined {
  return typeof at === 'function' ? at() : at;
}

/** `{ location }` of a refusal (`RefusalLocation`, read now), or nothing when there is none. */
export function locationField(at: RefusalLocation): { location?: string } {
  const location = refusalLocation(at);
  return location !== undefined ? { location } : {};
}

function isSdkFile(file: string): boolean {
  const norm = file.replace(/\\/g, '/');
  return SDK_DIRS.some((dir) => norm.startsWith(dir));
}

/** `src/` (or `lib/src/` once compiled) of this package (this file is in `src/constructs/`): frames from there are the SDK's own. */
const SDK_DIRS: string[] = [`${path.dirname(__dirname).replace(/\\/g, '/')}/`];

function relativeToCwd(file: string): string {
  const cwd = process.cwd().replace(/\\/g, '/') + '/';
  return file.startsWith(cwd) ? file.slice(cwd.length) : file;
}
