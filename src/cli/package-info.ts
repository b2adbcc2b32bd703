import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The parts of this package's package.json the CLI reads. */
export interface PackageInfo {
  /** `cdk8s-cilium`. */
  readonly name: string;
  /** The package version, e.g. `0.1.0`. */
  readonly version: string;
  /** Runtime dependencies. @default - none */
  readonly dependencies?: Readonly<Record<string, string>>;
  /** Peer dependencies (cdk8s, constructs, vitest). @default - none */
  readonly peerDependencies?: Readonly<Record<string, string>>;
  /** Development dependencies, at the versions the package is built and tested with. @default - none */
  readonly devDependencies?: Readonly<Record<string, string>>;
}

/** This package's folder, the one holding its package.json (found above this file, in the sources as in the installed package). */
export function packageDirectory(): string | undefined {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as Partial<PackageInfo>;
      if (pkg.name === 'cdk8s-cilium' && pkg.version) return dir;
    }
    dir = dirname(dir);
  }
  return undefined;
}

/** This package's package.json (in `packageDirectory()`). */
export function packageInfo(): PackageInfo {
  const dir = packageDirectory();
  if (dir === undefined) return { name: 'cdk8s-cilium', version: '0.0.0' };
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageInfo;
}
