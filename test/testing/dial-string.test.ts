import { describe, expect, it } from 'vitest';
import { buildOriginate } from '../../src/esl/originate.js';
import { parseOriginateLine, separateBlank } from '../../src/testing/dial-string.js';
import { loadCapture } from '../helpers/fixtures.js';

describe("the simulator reads originate lines as FreeSWITCH's tokenizer does", () => {
  it("reproduces the capture: {secretary_uuid='a,b c'} sets the variable to a", () => {
    const sent = loadCapture('inbound-session').steps.find((s) => s.send?.includes("secretary_uuid='a,b c'"))!.send!;
    const line = sent.slice('bgapi originate '.length).trimEnd();
    const { dial, target } = parseOriginateLine(line);
    expect(dial.variables.secretary_uuid).toBe('a');
    expect(dial.endpoint).toBe('loopback/9000/default');
    expect(target).toBe('&park()');
  });

  it('keeps quoted blanks together in the first pass', () => {
    // An escaped blank does not split; cleanup keeps `\ ` as it is (a blank is no escape).
    expect(separateBlank("a 'b c' d\\ e")).toEqual(['a', 'b c', 'd\\ e']);
  });

  // FreeSWITCH's comma pass trims trailing blanks of every element; everything else arrives.
  it('delivers every value our escaper produces unchanged but for trailing blanks (property test)', () => {
    let seed = 99;
    const rnd = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const alphabet = ['a', 'Z', '0', ',', ' ', "'", '"', '\\', '=', '^', '|', '\t', 'é', '%', '$', '&', '(', ')', ';'];
    for (let i = 0; i < 3000; i++) {
      const value = Array.from({ length: Math.floor(rnd() * 12) }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');
      const other = `x${i}`;
      const { command } = buildOriginate({ dialString: 'loopback/9000/default', app: 'park', uuid: 'u', variables: { v: value, w: other } });
      const { dial, target } = parseOriginateLine(command.slice('originate '.length));
      expect(dial.variables, JSON.stringify(value)).toEqual({ origination_uuid: 'u', v: value.replace(/ +$/, ''), w: other });
      expect(target).toBe('&park()');
    }
  });
});
