import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, test } from 'vitest';
import { IpFamilies } from '../../src/engine';
import { ALLOWS_TABLES, rewriteReadme, tableChart } from './what-it-allows';

// Each test builds its own chart (cheap): a construct built while the file is collected would make every mutant of it
// "static" for Stryker, run against every test of the mutation set (npm run test:mutation), not only the rows it changes.
describe.each(ALLOWS_TABLES.map((t) => [t.construct, t] as const))('%s: what it allows and denies', (_name, table) => {
  test('is CRD-valid', () => expect(tableChart(table)).toBeValidCilium());
  test.each(table.rows.map((r) => [`${r.from} -> ${r.to} ${r.port}${r.dns ? ` (${r.dns})` : ''}: ${r.verdict}`, r] as const))('%s', (_t, row) => {
    const chart = tableChart(table);
    // allowLocalhost: false (`--allow-localhost=policy`): host → pod must be allowed by the construct's own rules (the host
    // entity), not by the agent's default that lets the local host reach its pods whatever the policies say.
    // An IPv6 address or ICMPv6 is judged in a dual-stack cluster: an IPv4-only one carries no such packet (engine-query).
    const v6 = [row.from, row.to].some((e) => /^cidr:.*:/.test(e)) || row.port.startsWith('icmpv6');
    const options = { hostFirewall: table.hostFirewall ?? false, allowLocalhost: false, ...(row.dns ? { dns: row.dns } : {}),
      ...(v6 ? { ipFamilies: IpFamilies.DUAL } : {}) };
    if (row.verdict === 'allowed') expect(chart).toAllow(row.from, row.to, row.port, options);
    else expect(chart).toDeny(row.from, row.to, row.port, options);
    // And the same in a cluster with the default allow-localhost.
    if (row.from === 'entity:host') {
      if (row.verdict === 'allowed') expect(chart).toAllow(row.from, row.to, row.port, { ...options, allowLocalhost: true });
      else expect(chart).toDeny(row.from, row.to, row.port, { ...options, allowLocalhost: true });
    }
  });
});

test('the README tables are generated from these rows (npm run docs:allows rewrites them)', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
  expect(rewriteReadme(readme)).toBe(readme);
});
