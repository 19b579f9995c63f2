/**
 * Storage and loops for lanczos (./lanczos.ts): numbered slots of n float32 values in
 * one buffer (the Lanczos vectors, in order, then working vectors), so a
 * Gram-Schmidt pass runs over a range of slots. Each slot is padded with zeros
 * to a multiple of 4 values, the width of one SIMD load, so loops need no tail.
 * Sums are taken in float64, and an update r −= Σ cⱼ·vⱼ is rounded to float32
 * once per element and group of four slots; a dot product keeps four partial sums (by index mod 4: independent adds in
 * flight). WebAssembly SIMD runs the loops where the engine has it
 * (krylovSlotsWasm.ts, the same bits); the plain-JS loops here are the
 * reference and the fallback.
 */
export abstract class KrylovSlots {
  /** Values per slot: n rounded up to a multiple of 4. */
  readonly stride: number;
  /** Every slot, back to back. */
  protected abstract readonly data: Float32Array;
  private readonly single = new Float64Array(1);

  constructor(readonly n: number) {
    this.stride = Math.ceil(n / 4) * 4;
  }

  /** Slot s's n values; writes go to the slot. */
  view(slot: number): Float32Array {
    return this.data.subarray(slot * this.stride, slot * this.stride + this.n);
  }

  /** out[j] = slot(first + j)·slot(r), for j < out.length. */
  abstract dots(first: number, r: number, out: Float64Array): void;

  /** slot(r) −= Σⱼ coefficients[j]·slot(first + j), in place. */
  abstract subtract(first: number, coefficients: ArrayLike<number>, r: number): void;

  dot(a: number, b: number): number {
    this.dots(a, b, this.single);
    return this.single[0];
  }

  /** slot(s) *= factor (padding stays zero). */
  scale(slot: number, factor: number): void {
    const v = this.view(slot);
    for (let i = 0; i < v.length; i++) v[i] *= factor;
  }
}

/** The loops in plain JS. */
export class JsKrylovSlots extends KrylovSlots {
  protected readonly data: Float32Array;

  constructor(n: number, slots: number) {
    super(n);
    this.data = new Float32Array(slots * this.stride);
  }

  dots(first: number, r: number, out: Float64Array): void {
    const x = this.padded(r);
    for (let j = 0; j < out.length; j++) {
      const a = this.padded(first + j);
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let i = 0; i < x.length; i += 4) {
        s0 += a[i] * x[i];
        s1 += a[i + 1] * x[i + 1];
        s2 += a[i + 2] * x[i + 2];
        s3 += a[i + 3] * x[i + 3];
      }
      out[j] = s0 + s1 + (s2 + s3);
    }
  }

  /** Four slots per pass over r (r read and written once per four; 0.8 ns per term at n = 1e5 against 1.5 one at a time). */
  subtract(first: number, coefficients: ArrayLike<number>, r: number): void {
    const x = this.padded(r);
    const count = coefficients.length;
    let j = 0;
    for (; j + 3 < count; j += 4) {
      const [a, b, c, d] = [0, 1, 2, 3].map((k) => this.padded(first + j + k));
      const [ca, cb, cc, cd] = [coefficients[j], coefficients[j + 1], coefficients[j + 2], coefficients[j + 3]];
      for (let i = 0; i < x.length; i++) x[i] -= ca * a[i] + cb * b[i] + cc * c[i] + cd * d[i];
    }
    for (; j < count; j++) {
      const a = this.padded(first + j);
      const ca = coefficients[j];
      for (let i = 0; i < x.length; i++) x[i] -= ca * a[i];
    }
  }

  /** Slot s with its padding. */
  private padded(slot: number): Float32Array {
    return this.data.subarray(slot * this.stride, (slot + 1) * this.stride);
  }
}
