// The analyzer plugins of scripts/cem-plugins.mjs on a manifest shaped like the analyzer's own
// output for components/define.ts (the define loop read as one definition of a tag named `tag`).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
// @ts-expect-error plain JavaScript, no declarations
import { definitionPerTag, publishedModulePaths, publishedPath } from './cem-plugins.mjs';

interface Reference {
  name: string;
  module?: string;
  package?: string;
}
interface Module {
  path: string;
  declarations?: { name: string; customElement?: boolean; tagName?: string; superclass?: Reference }[];
  exports?: { kind: string; name: string; declaration: Reference }[];
}

const analyzerOutput = (): { modules: Module[] } => ({
  modules: [
    {
      path: 'components/define.ts',
      exports: [
        { kind: 'js', name: '*', declaration: { name: '*', module: 'components/index.js' } },
        { kind: 'custom-element-definition', name: 'tag', declaration: { name: 'ctor', module: 'components/define.ts' } },
      ],
    },
    {
      path: 'components/core.ts',
      exports: [{ kind: 'js', name: 'RtcError', declaration: { name: 'RtcError', module: './core/errors.js' } }],
    },
    {
      path: 'components/rtc-room/rtc-room.ts',
      declarations: [
        { name: 'RtcRoomElement', customElement: true, tagName: 'rtc-room', superclass: { name: 'LitElement', package: 'lit' } },
      ],
      exports: [{ kind: 'js', name: 'RtcRoomElement', declaration: { name: 'RtcRoomElement', module: 'components/rtc-room/rtc-room.ts' } }],
    },
    {
      path: 'components/rtc-chat/rtc-chat.ts',
      declarations: [{ name: 'RtcChatElement', customElement: true, tagName: 'rtc-chat' }, { name: 'helper' }],
    },
  ],
});

/** Runs the plugins in the config's order, as the analyzer's package-link phase does. */
function link(manifest: { modules: Module[] }, plugins = [definitionPerTag(), publishedModulePaths()]) {
  for (const plugin of plugins) plugin.packageLinkPhase({ customElementsManifest: manifest });
  return manifest;
}

describe('analyzer plugins (scripts/cem-plugins.mjs)', () => {
  it('publishedPath: a source path becomes its file in dist/', () => {
    assert.equal(publishedPath('components/rtc-room/rtc-room.ts'), 'dist/components/rtc-room/rtc-room.js');
    assert.equal(publishedPath('protocol/index.js'), 'dist/protocol/index.js');
    assert.equal(publishedPath('dist/components/define.js'), 'dist/components/define.js');
  });

  it('one custom-element-definition per tag, from the registering module, and no bogus one', () => {
    const define = link(analyzerOutput(), [definitionPerTag()]).modules[0]!;
    const definitions = define.exports!.filter((e) => e.kind === 'custom-element-definition');
    assert.deepEqual(definitions, [
      {
        kind: 'custom-element-definition',
        name: 'rtc-room',
        declaration: { name: 'RtcRoomElement', module: 'components/rtc-room/rtc-room.ts' },
      },
      {
        kind: 'custom-element-definition',
        name: 'rtc-chat',
        declaration: { name: 'RtcChatElement', module: 'components/rtc-chat/rtc-chat.ts' },
      },
    ]);
    assert.equal(define.exports![0]!.kind, 'js', 'the other exports stay');
  });

  it('without a definition the analyzer saw, the definitions go to components/define.ts; with no such module it throws', () => {
    const manifest = analyzerOutput();
    manifest.modules[0]!.exports = [];
    const names = link(manifest, [definitionPerTag()]).modules[0]!.exports!.map((e) => e.name);
    assert.deepEqual(names, ['rtc-room', 'rtc-chat']);
    const without = analyzerOutput();
    without.modules.shift();
    assert.throws(() => link(without, [definitionPerTag()]), /no module registers the tags/);
  });

  it('every module path and reference names the published file; re-exports resolve from the package root', () => {
    const { modules } = link(analyzerOutput());
    assert.deepEqual(
      modules.map((m) => m.path),
      [
        'dist/components/define.js',
        'dist/components/core.js',
        'dist/components/rtc-room/rtc-room.js',
        'dist/components/rtc-chat/rtc-chat.js',
      ],
    );
    assert.equal(modules[0]!.exports![1]!.declaration.module, 'dist/components/rtc-room/rtc-room.js', 'the definition too');
    assert.equal(modules[1]!.exports![0]!.declaration.module, 'dist/components/core/errors.js');
    assert.equal(modules[2]!.exports![0]!.declaration.module, 'dist/components/rtc-room/rtc-room.js');
    assert.deepEqual(modules[2]!.declarations![0]!.superclass, { name: 'LitElement', package: 'lit' }, 'packages stay');
    assert.equal(modules[0]!.exports![0]!.declaration.module, 'dist/components/index.js', 'a path the analyzer wrote as .js');
  });
});
