import { describe, expect, it } from 'vitest';
import { AudioMessage } from '../../src/realtime/providers/audio-message.js';
import { USER_AUDIO } from '../../src/realtime/providers/elevenlabs-events.js';
import { buildAudio } from '../../src/realtime/providers/gemini-wire.js';
import { buildAppend } from '../../src/realtime/providers/openai-events.js';

describe('AudioMessage', () => {
  it('is byte for byte what JSON.stringify of the vendor event gives, for any size and any view', () => {
    const backing = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 37) & 0xff));
    for (const build of [buildAppend, buildAudio, (b: string) => ({ user_audio_chunk: b })]) {
      const message = new AudioMessage(build);
      for (const [offset, length] of [[0, 0], [0, 1], [3, 2], [1, 3], [7, 160], [100, 800], [0, 640 * 5]]) {
        const view = new Uint8Array(backing.buffer, backing.byteOffset + offset, Math.min(length!, backing.length - offset!));
        const expected = JSON.stringify(build(Buffer.from(view).toString('base64')));
        expect(message.encode(view).toString('utf8')).toBe(expected);
      }
    }
    expect(USER_AUDIO.encode(new Uint8Array([1, 2, 3])).toString()).toBe('{"user_audio_chunk":"AQID"}');
  });

  it('refuses a template without the audio, or with it twice', () => {
    expect(() => new AudioMessage(() => ({ type: 'x' }))).toThrow(/exactly once/);
    expect(() => new AudioMessage((b) => ({ a: b, b }))).toThrow(/exactly once/);
  });
});
