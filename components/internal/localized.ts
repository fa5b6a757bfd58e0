import { AsyncDirective, directive, type AttributePart, type PartInfo, PartType } from 'lit/async-directive.js';
import { englishStrings, stringsFor, type RtcStrings } from './strings.js';

/**
 * An attribute value in the language of the element it is set on (`aria-label=${localized((w) => w.member)}`),
 * for shared templates that have no element of their own to ask. A template's first render runs
 * before it is in the page (only English is known then): the value is set again right after.
 */
class LocalizedDirective extends AsyncDirective {
  constructor(part: PartInfo) {
    super(part);
    if (part.type !== PartType.ATTRIBUTE) throw new Error('localized() is for attribute bindings');
  }

  render(pick: (words: RtcStrings) => string): string {
    return pick(englishStrings);
  }

  override update(part: AttributePart, [pick]: [(words: RtcStrings) => string]): string {
    const el = part.element;
    if (!el.isConnected) {
      queueMicrotask(() => {
        if (this.isConnected && el.isConnected) this.setValue(pick(stringsFor(el)));
      });
    }
    return pick(stringsFor(el));
  }
}

export const localized = directive(LocalizedDirective);
