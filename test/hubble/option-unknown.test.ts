// The options of the Hubble tools (`Connections.collect`, `Replay.flows`/`capture`, `ReplayFormat.table`, `Draft.plan`,
// `Draft.renderTypeScript`) that their interfaces do not declare (`option-unknown`): a misspelled key was dropped and the
// default applied (`clusterNme` replayed the local pods as another cluster's, `namespace` drafted every namespace). Each
// is refused naming the key meant; a key set to `undefined` is accepted; spelled options give the same results as before.
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  CollectOptions, Connections, Draft, DraftOptions, FlowCapture, FlowSource, PolicySet, Replay, ReplayFormat, ReplayOptions,
} from '../../src';
import { HUBBLE_FIXTURES_DIR } from './support/paths';
import { thrown } from '../support/errors';

const CAPTURE_FILE = join(HUBBLE_FIXTURES_DIR, 'shop-capture.jsonl');
const policies = (): PolicySet => PolicySet.fromFiles([join(HUBBLE_FIXTURES_DIR, 'shop-policies.yaml')]);

/** Options as plain JavaScript passes them. */
const loose = <T>(o: Record<string, unknown>): T => o as T;

let capture: FlowCapture;
beforeAll(async () => {
  capture = await Connections.collect(FlowSource.file(CAPTURE_FILE));
});

describe('reading and replaying flows', () => {
  test('Connections.collect refuses maxConections, naming maxConnections', async () => {
    const refused = Connections.collect(FlowSource.file(CAPTURE_FILE), loose<CollectOptions>({ maxConections: 5 }));
    await expect(refused).rejects.toThrow(/Connections\.collect\(\): maxConections \(5\) is not an option of Connections\.collect\(\).*\(option-unknown\)\n {2}fix: did you mean maxConnections\?/s);
    const spelled = await Connections.collect(FlowSource.file(CAPTURE_FILE), loose<CollectOptions>({ maxConnections: 5, maxConections: undefined }));
    expect(spelled.connections).toHaveLength(5);
  });

  test('Replay.capture and Replay.flows refuse clusterNme, naming clusterName', async () => {
    const e = thrown(() => Replay.capture(capture, policies(), loose<ReplayOptions>({ clusterNme: 'east' })));
    expect(e.id).toBe('option-unknown');
    expect(e.message).toContain("clusterName would keep its default (the cluster of the capture's observing nodes, else 'default')");
    expect(e.fix).toMatch(/^did you mean clusterName\? the options of Replay\.capture\(\) are maxLineLength, maxMalformedReported, maxConnections, /);
    await expect(Replay.flows(FlowSource.file(CAPTURE_FILE), policies(), loose<ReplayOptions>({ topDropSorces: 3 }))).rejects.toThrow(/did you mean topDropSources\?/);
    expect(Replay.capture(capture, policies(), loose<ReplayOptions>({ topDropSources: 3, clusterNme: undefined })).summary)
      .toEqual(Replay.capture(capture, policies(), { topDropSources: 3 }).summary);
  });

  test('ReplayFormat.table refuses maxUnchaged, naming maxUnchanged', () => {
    const report = Replay.capture(capture, policies());
    expect(thrown(() => ReplayFormat.table(report, { maxUnchaged: 1 } as never)).fix).toBe('did you mean maxUnchanged? the options of ReplayFormat.table() are maxUnchanged, maxListed, policyCount');
    expect(ReplayFormat.table(report, { maxUnchanged: 1 })).toContain('would be dropped');
  });
});

describe('drafting policies', () => {
  test('Draft.plan refuses namespace (it drafted every namespace), naming namespaces', () => {
    const e = thrown(() => Draft.plan(capture, loose<DraftOptions>({ namespace: ['shop'] })));
    expect(e.message).toContain('Draft.plan(): namespace (a list) is not an option of Draft.plan()');
    expect(e.message).toContain('namespaces would keep its default (every namespace with pods in the capture)');
    expect(e.fix).toMatch(/^did you mean namespaces\?/);
    expect(Draft.plan(capture, loose<DraftOptions>({ namespaces: ['shop'], namespace: undefined }))).toEqual(Draft.plan(capture, { namespaces: ['shop'] }));
  });

  test('Draft.renderTypeScript refuses importform, naming importFrom', () => {
    const plan = Draft.plan(capture, { namespaces: ['shop'] });
    expect(thrown(() => Draft.renderTypeScript(plan, { importform: '../src' } as never)).fix).toMatch(/^did you mean importFrom\?/);
    expect(Draft.renderTypeScript(plan, { importFrom: '../src' })).toContain("from '../src'");
  });
});
