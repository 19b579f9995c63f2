/**
 * The surface's three GLSL ES 1.0 programs (WebGL 1, which every webview has):
 * the lit height field, screen-space ribbons for paths (WebGL draws 1-pixel
 * lines only), and flat lines and round points.
 */
import { Z_TOP } from './camera';

/** The height field, coloured from `uLow` (the floor) to `uHigh` (the top), lit by one light fixed to the box. */
export const SURFACE_SHADERS = {
  vertex: `
attribute vec3 aPos;
attribute vec3 aNormal;
uniform mat4 uMatrix;
varying float vHeight;
varying vec3 vNormal;
void main() {
  gl_Position = uMatrix * vec4(aPos, 1.0);
  vHeight = aPos.z / ${Z_TOP.toFixed(1)};
  vNormal = aNormal;
}`,
  fragment: `
precision mediump float;
uniform vec3 uLow;
uniform vec3 uHigh;
uniform vec3 uLight;
varying float vHeight;
varying vec3 vNormal;
void main() {
  float diffuse = abs(dot(normalize(vNormal), uLight));
  vec3 base = mix(uLow, uHigh, clamp(vHeight, 0.0, 1.0));
  gl_FragColor = vec4(base * (0.5 + 0.5 * diffuse), 1.0);
}`,
};

/** A segment a→b widened to `uWidth` pixels across the screen; `aEnd` picks the end, `aSide` the edge. */
export const RIBBON_SHADERS = {
  vertex: `
attribute vec3 aA;
attribute vec3 aB;
attribute float aSide;
attribute float aEnd;
uniform mat4 uMatrix;
uniform vec2 uHalfViewport;
uniform float uWidth;
void main() {
  vec4 a = uMatrix * vec4(aA, 1.0);
  vec4 b = uMatrix * vec4(aB, 1.0);
  vec2 d = (b.xy / b.w - a.xy / a.w) * uHalfViewport;
  vec2 along = length(d) > 1e-6 ? normalize(d) : vec2(1.0, 0.0);
  vec4 p = mix(a, b, aEnd);
  p.xy += vec2(-along.y, along.x) * aSide * (0.5 * uWidth / uHalfViewport) * p.w;
  gl_Position = p;
}`,
  fragment: `
precision mediump float;
uniform vec4 uColour;
void main() { gl_FragColor = uColour; }`,
};

/** Lines (uRound 0) and round points of uSize pixels (uRound 1), in one colour. */
export const FLAT_SHADERS = {
  vertex: `
attribute vec3 aPos;
uniform mat4 uMatrix;
uniform float uSize;
void main() {
  gl_Position = uMatrix * vec4(aPos, 1.0);
  gl_PointSize = uSize;
}`,
  fragment: `
precision mediump float;
uniform vec4 uColour;
uniform float uRound;
void main() {
  if (uRound > 0.5 && length(gl_PointCoord - vec2(0.5)) > 0.5) discard;
  gl_FragColor = uColour;
}`,
};
