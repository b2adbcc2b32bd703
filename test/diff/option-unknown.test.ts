// The options of the connectivity diff and report, and the entries of `Connectivity.unexpectedChanges`, that their
// interfaces do not declare (`option-unknown`): a misspelled key was dropped, so the diff compared every class instead
// of the ones given, and an expected entry matched a change of either verdict. Each is refused naming the key meant; a
// key set to `undefined` is accepted; spelled options give the same document as before.
import { describe, expect, test } from 'vitest';
import { Connectivity, ConnectivityOptions, ExpectedConnectivityChange, PolicySet } from '../../src';
import { webToApi } from './support';
import { thrown } from '../support/errors';

const base = PolicySet.fromYaml(webToApi([8080]));
const head = PolicySet.fromYaml(webToApi([8080, 9090]));
const loose = (o: Record<string, unknown>): ConnectivityOptions => o as ConnectivityOptions;

describe('Connectivity.diff and Connectivity.report refuse an option DiffOptions and ReportOptions do not declare', () => {
  test('clases is refused naming classes; the internal option is known but not listed', () => {
    const e = thrown(() => Connectivity.diff(base, head, loose({ clases: [] })));
    expect(e.id).toBe('option-unknown');
    expect(e.message).toContain('Connectivity.diff(): clases (a list) is not an option of Connectivity.diff()');
    expect(e.message).toContain('classes would keep its default (derived from the sets and their inventory)');
    expect(e.fix).toBe('did you mean classes? the options of Connectivity.diff() are baseSource, headSource, classes, maxChanges, maxPairs');
    expect(thrown(() => Connectivity.report(base, loose({ baseSorce: 'main' }))).fix).toMatch(/^did you mean baseSource\?/);
  });

  test('a key set to undefined is accepted; spelled options give the same document as before', () => {
    const plain = Connectivity.diff(base, head, { baseSource: 'main' });
    expect(Connectivity.diff(base, head, loose({ baseSource: 'main', clases: undefined }))).toEqual(plain);
    expect(plain.changes.map((c) => c.ports)).toEqual([['9090/TCP']]);
  });
});

describe('Connectivity.unexpectedChanges refuses an expected entry with a field it does not declare', () => {
  test('aftr is refused naming after (the entry matched either verdict)', () => {
    const doc = Connectivity.diff(base, head);
    const entry = { from: 'prod/app=web', to: 'prod/app=api', aftr: 'denied' } as unknown as ExpectedConnectivityChange;
    const e = thrown(() => Connectivity.unexpectedChanges(doc, [entry]));
    expect(e.message).toContain('Connectivity.unexpectedChanges() expected[0]: aftr ("denied") is not a field of ExpectedChange');
    expect(e.fix).toMatch(/^did you mean after\?/);
    const spelled = Connectivity.unexpectedChanges(doc, [{ from: 'prod/app=web', to: 'prod/app=api', after: undefined }]);
    expect(spelled).toEqual({ unexpected: [], missing: [], notCompared: [] });
  });
});
