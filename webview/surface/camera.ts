/**
 * The orbit camera of the 3-D surface: yaw about the vertical axis, pitch
 * above the floor and a distance, looking at the middle of the unit box the
 * surface lives in (x, y ∈ [−1, 1], z ∈ [0, Z_TOP]). Matrices are
 * column-major Float32Arrays, as WebGL's uniformMatrix4fv reads them.
 */
export type Mat4 = Float32Array;
export type Vec3 = [number, number, number];

/** Height of the surface's box: heights are scaled into [0, Z_TOP]. */
export const Z_TOP = 1;

export interface Orbit {
  /** Radians about the vertical axis. */
  yaw: number;
  /** Radians above the floor, kept within PITCH_RANGE. */
  pitch: number;
  distance: number;
}

export const DEFAULT_ORBIT: Orbit = { yaw: -0.6, pitch: 0.6, distance: 4.2 };
const PITCH_RANGE: [number, number] = [0.05, 1.5];
const DISTANCE_RANGE: [number, number] = [1.6, 12];
const FOV_Y = (35 * Math.PI) / 180;

const clamp = (v: number, [lo, hi]: [number, number]): number => Math.min(hi, Math.max(lo, v));

/** An orbit from elsewhere (a saved state) within the camera's ranges. */
export function clampOrbit(o: Orbit): Orbit {
  return { yaw: o.yaw, pitch: clamp(o.pitch, PITCH_RANGE), distance: clamp(o.distance, DISTANCE_RANGE) };
}

/** The orbit after a drag of (dx, dy) pixels (one canvas width turns the surface about half a turn). */
export function rotated(o: Orbit, dx: number, dy: number, width: number): Orbit {
  const perPixel = Math.PI / Math.max(width, 1);
  return { ...o, yaw: o.yaw - dx * perPixel, pitch: clamp(o.pitch + dy * perPixel, PITCH_RANGE) };
}

/** The orbit after `notches` wheel notches (positive: away). */
export function zoomed(o: Orbit, notches: number): Orbit {
  return { ...o, distance: clamp(o.distance * 1.15 ** notches, DISTANCE_RANGE) };
}

export function eyeOf(o: Orbit): Vec3 {
  const c = Math.cos(o.pitch);
  return [o.distance * c * Math.cos(o.yaw), o.distance * c * Math.sin(o.yaw), Z_TOP / 2 + o.distance * Math.sin(o.pitch)];
}

/** Projection × view for a canvas of aspect width / height. */
export function viewProjection(o: Orbit, aspect: number): Mat4 {
  return multiply(perspective(FOV_Y, aspect, 0.1, 50), lookAt(eyeOf(o), [0, 0, Z_TOP / 2], [0, 0, 1]));
}

/** A model point in pixels of a width × height canvas (y down), or undefined behind the eye. */
export function toPixels(m: Mat4, p: Vec3, width: number, height: number): [number, number] | undefined {
  const x = m[0] * p[0] + m[4] * p[1] + m[8] * p[2] + m[12];
  const y = m[1] * p[0] + m[5] * p[1] + m[9] * p[2] + m[13];
  const w = m[3] * p[0] + m[7] * p[1] + m[11] * p[2] + m[15];
  if (w <= 1e-6) return undefined;
  return [((x / w + 1) / 2) * width, ((1 - y / w) / 2) * height];
}

function perspective(fovY: number, aspect: number, near: number, far: number): Mat4 {
  const f = 1 / Math.tan(fovY / 2);
  const nf = 1 / (near - far);
  return new Float32Array([f / aspect, 0, 0, 0, 0, f, 0, 0, 0, 0, (far + near) * nf, -1, 0, 0, 2 * far * near * nf, 0]);
}

function lookAt(eye: Vec3, centre: Vec3, up: Vec3): Mat4 {
  const f = normalise([centre[0] - eye[0], centre[1] - eye[1], centre[2] - eye[2]]);
  const s = normalise(cross(f, up));
  const u = cross(s, f);
  const dot = (a: Vec3, b: Vec3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
  return new Float32Array([
    s[0], u[0], -f[0], 0,
    s[1], u[1], -f[1], 0,
    s[2], u[2], -f[2], 0,
    -dot(s, eye), -dot(u, eye), dot(f, eye), 1,
  ]);
}

function multiply(a: Mat4, b: Mat4): Mat4 {
  const out = new Float32Array(16);
  for (let c = 0; c < 4; c++) {
    for (let r = 0; r < 4; r++) {
      let s = 0;
      for (let k = 0; k < 4; k++) s += a[k * 4 + r] * b[c * 4 + k];
      out[c * 4 + r] = s;
    }
  }
  return out;
}

function cross(a: Vec3, b: Vec3): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

function normalise(v: Vec3): Vec3 {
  const n = Math.hypot(v[0], v[1], v[2]) || 1;
  return [v[0] / n, v[1] / n, v[2] / n];
}
