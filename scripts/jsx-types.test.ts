// The JSX props in components/jsx.ts are written by hand; this fails when an element gains a
// writable attribute or an event in its JSDoc that the JSX types do not offer.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { before, describe, it } from 'node:test';
import { analyze, elements, type ElementDeclaration } from './readme-api.js';

describe('JSX types (components/jsx.ts)', () => {
  let all: ElementDeclaration[];
  let source: string;
  before(async () => {
    all = elements(await analyze());
    source = await readFile(new URL('../components/jsx.ts', import.meta.url), 'utf8');
  });

  it('names every element of the manifest', () => {
    for (const el of all) assert.match(source, new RegExp(`'${el.tagName}': `), `${el.tagName} missing from RtcElementProps`);
  });

  it('offers every writable attribute as a prop and every event as an on<event> listener', () => {
    for (const el of all) {
      const picked = source.match(new RegExp(`Pick<\\s*${el.name},\\s*([^>]*)>`))?.[1] ?? '';
      const props = [...picked.matchAll(/'([A-Za-z]+)'/g)].map((m) => m[1]);
      for (const attr of el.attributes ?? []) {
        if (/Read-only/.test(attr.description ?? '')) continue;
        assert.ok(props.includes(attr.fieldName ?? attr.name), `${el.tagName}: ${attr.fieldName} is not a JSX prop`);
      }
      for (const event of el.events ?? [])
        assert.match(source, new RegExp(`'${event.name}': `), `${el.tagName}: no listener prop for ${event.name}`);
    }
  });
});
