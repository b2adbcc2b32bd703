/** Rewrites the "what it allows" tables of README.md from test/constructs/what-it-allows.ts (`npm run docs:allows`). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { rewriteReadme } from '../test/constructs/what-it-allows';

const file = path.join(__dirname, '..', 'README.md');
fs.writeFileSync(file, rewriteReadme(fs.readFileSync(file, 'utf8')));
