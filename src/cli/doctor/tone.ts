/**
 * The audio check's tone: a 1 kHz sine to send, and a Goertzel detector that tells whether a
 * frame that came back carries it.
 */

/** `ms` of a `hz` tone at 8 kHz. */
export function tone(ms: number, hz = 1000, amplitude = 8000): Int16Array {
  return Int16Array.from({ length: 8 * ms }, (_, i) => Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / 8000)));
}

/** The share (0..1) of a frame's energy at `hz` (Goertzel); 0 for silence. */
export function toneShare(samples: Int16Array, hz = 1000): number {
  const k = (2 * Math.PI * hz) / 8000;
  const coeff = 2 * Math.cos(k);
  let s1 = 0;
  let s2 = 0;
  let energy = 0;
  for (const x of samples) {
    const s = x + coeff * s1 - s2;
    s2 = s1;
    s1 = s;
    energy += x * x;
  }
  if (energy < samples.length * 100 * 100) return 0;
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return Math.min(1, (2 * power) / (samples.length * energy));
}
