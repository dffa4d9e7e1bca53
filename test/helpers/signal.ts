/** Test signals and their measurement: tones, one frequency's power (Goertzel), decibels. */

/** A sine tone. */
export function tone(hz: number, rate: number, seconds: number, amplitude = 10000): Int16Array {
  return Int16Array.from({ length: Math.round(rate * seconds) }, (_, i) => Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / rate)));
}

/** Power of one frequency (Goertzel), over the middle of the signal (away from filter edges). */
export function power(x: Int16Array, hz: number, rate: number): number {
  const start = Math.floor(x.length / 4);
  const end = Math.floor((3 * x.length) / 4);
  const k = (2 * Math.cos((2 * Math.PI * hz) / rate));
  let s1 = 0;
  let s2 = 0;
  for (let i = start; i < end; i++) {
    const s = x[i]! + k * s1 - s2;
    s2 = s1;
    s1 = s;
  }
  return (s1 * s1 + s2 * s2 - k * s1 * s2) / (end - start) ** 2;
}

export const db = (ratio: number): number => 10 * Math.log10(ratio);

