/**
 * Reading the dialplan `xml_locate` shows (a static FreeSWITCH configuration): which extension
 * of a context takes a number, and where its `socket` action points.
 */
import { findElements, parseXml } from 'freeswitch-voice-ai/testing';

/** The extension that takes the number, if any. */
export interface ExtensionMatch {
  name: string;
  /** The `socket` action's data, e.g. `127.0.0.1:8022 async full`, when it has one. */
  socket: string | undefined;
  /** `continue="true"`: later extensions run too. */
}

/** The first extension whose `destination_number` condition matches `number`. */
export function findExtension(xml: string, number: string): ExtensionMatch | undefined {
  for (const extension of findElements(parseXml(xml), 'extension')) {
    const conditions = extension.children.filter((c) => c.name === 'condition');
    const dest = conditions.find((c) => c.attributes.field === 'destination_number');
    if (!dest?.attributes.expression) continue;
    let matches = false;
    try {
      matches = new RegExp(dest.attributes.expression).test(number);
    } catch {
      continue;
    }
    if (!matches) continue;
    const socket = findElements(conditions, 'action').find((a) => a.attributes.application === 'socket');
    return { name: extension.attributes.name ?? '(unnamed)', socket: socket?.attributes.data };
  }
  return undefined;
}
