// docs/api.md's element reference is generated from the custom elements manifest; these tests
// fail when it drifts (fix: `npm run docs`) or when the generator drops part of the manifest.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { before, describe, it } from 'node:test';
import { analyze, API_DOC, apiSection, elements, firstDifference, replaceSection, type Manifest } from './readme-api.js';

const docUrl = new URL(`../${API_DOC}`, import.meta.url);

describe('docs/api.md element reference', () => {
  let manifest: Manifest;
  let doc: string;
  before(async () => {
    manifest = await analyze();
    doc = await readFile(docUrl, 'utf8');
  });

  it('matches the manifest built from the JSDoc (run `npm run docs` when this fails)', () => {
    const diff = firstDifference(doc, replaceSection(doc, apiSection(manifest)));
    assert.equal(diff, null, `${API_DOC}'s element reference is stale at ${diff}`);
  });

  it('lists every element, attribute, event, slot, part and custom property of the manifest', () => {
    const section = apiSection(manifest);
    const all = elements(manifest);
    assert.deepEqual(all.map((e) => e.tagName).sort(), [
      'rtc-chat',
      'rtc-controls',
      'rtc-local-video',
      'rtc-preflight',
      'rtc-remote-video',
      'rtc-remote-videos',
      'rtc-room',
    ]);
    for (const el of all) {
      assert.match(section, new RegExp(`^## \`<${el.tagName}>\`$`, 'm'));
      const names = [
        ...(el.attributes ?? []).map((a) => a.name),
        ...(el.events ?? []).map((e) => e.name),
        ...(el.slots ?? []).filter((s) => s.name).map((s) => s.name),
        ...(el.cssParts ?? []).map((p) => p.name),
        ...(el.cssProperties ?? []).map((p) => p.name),
      ];
      for (const name of names) assert.ok(section.includes(`| \`${name}\``), `${el.tagName}: ${name} missing`);
    }
    // Private state (`_room`) and @internal members stay out; described public API has text.
    assert.doesNotMatch(section, /`_[a-zA-Z]+`|pinnedPeer|`assign\(/);
    assert.doesNotMatch(section, /\| {2}\|$/m, 'a row with an empty description');
  });

  it('reports drift: a reference missing one attribute row fails the check', () => {
    const current = replaceSection(doc, apiSection(manifest));
    const stale = current.replace(/^\| `ice-transport-policy` .*\n/m, '');
    assert.notEqual(stale, current);
    assert.match(firstDifference(stale, current) ?? '', /ice-transport-policy/);
  });

  it('gives a new element its own section with its attributes, escaping pipes in types', () => {
    const extra: Manifest = {
      modules: [
        ...manifest.modules,
        {
          path: 'components/rtc-extra/rtc-extra.ts',
          declarations: [
            {
              kind: 'class',
              name: 'RtcExtraElement',
              customElement: true,
              tagName: 'rtc-extra',
              description: 'A later element.',
              attributes: [{ name: 'speaker-id', fieldName: 'speakerId', type: { text: 'string | null' }, description: 'Which speaker.' }],
              members: [{ kind: 'field', name: 'speakerId', type: { text: 'string | null' }, reflects: true }],
            },
          ],
        },
      ],
    };
    const section = apiSection(extra);
    assert.match(section, /## `<rtc-extra>`\n\nA later element\./);
    assert.match(section, /\| `speaker-id` \(reflected\) \| `speakerId` \| `string \\\| null` \| {2}\| Which speaker\. \|/);
    assert.ok(section.indexOf('<rtc-room>') < section.indexOf('<rtc-extra>'), 'rtc-room comes first');
  });

  it('refuses a file without markers', () => {
    assert.throws(() => replaceSection('# no markers', 'x'), /api:start/);
  });
});
