/**
 * A small WebGL 1 renderer for the 3-D surface: the lit height field with the
 * contour's iso-lines on it, the box's floor and edges, each run's path as a
 * ribbon of its own colour (a faint pass through hills, a full pass where it
 * is in sight), round markers, and nothing else. It owns its GPU buffers and
 * frees them when the scene or the paths change.
 */
import type { Mat4, Vec3 } from './camera';
import { Z_TOP } from './camera';
import { FLAT_SHADERS, RIBBON_SHADERS, SURFACE_SHADERS } from './surfaceShaders';
import type { SurfaceScene } from './surfaceScene';

export type Rgba = [number, number, number, number];

export interface SurfaceColours {
  bg: Rgba;
  /** The surface at its floor and at its top. */
  low: Rgba;
  high: Rgba;
  iso: Rgba;
  frame: Rgba;
  /** The ring around replay markers. */
  ring: Rgba;
}

export interface GlPath {
  colour: Rgba;
  /** Line width in CSS pixels (0: points only). */
  width: number;
  /** Radius of the markers at `points`, in CSS pixels. */
  pointRadius: number;
  lines: Vec3[][];
  points: Vec3[];
}

export interface GlMarker {
  at: Vec3;
  colour: Rgba;
}

type Program = { program: WebGLProgram; attrib(name: string): number; uniform(name: string): WebGLUniformLocation | null };

/** Light from above the front-left corner of the box (fixed to the box, so rotating shows the slopes change). */
const LIGHT: Vec3 = normalise([-0.35, -0.55, 1]);
const FAINT = 0.28;

export class SurfaceGl {
  private readonly surface: Program;
  private readonly ribbon: Program;
  private readonly flat: Program;
  private mesh?: { buffer: WebGLBuffer; count: number };
  private iso?: { buffer: WebGLBuffer; count: number };
  private readonly frame: { buffer: WebGLBuffer; count: number };
  private paths: { path: GlPath; ribbons: { buffer: WebGLBuffer; count: number }; joints: { buffer: WebGLBuffer; count: number }; points: { buffer: WebGLBuffer; count: number } }[] = [];

  /** Undefined when the page has no WebGL (the caller shows why instead). */
  static create(canvas: HTMLCanvasElement): SurfaceGl | undefined {
    const gl = canvas.getContext('webgl', { antialias: true, alpha: false, preserveDrawingBuffer: true });
    return gl ? new SurfaceGl(gl) : undefined;
  }

  private constructor(private readonly gl: WebGLRenderingContext) {
    this.surface = program(gl, SURFACE_SHADERS);
    this.ribbon = program(gl, RIBBON_SHADERS);
    this.flat = program(gl, FLAT_SHADERS);
    this.frame = this.upload(frameLines());
  }

  setScene(scene: SurfaceScene): void {
    this.free(this.mesh, this.iso);
    this.mesh = this.upload(scene.mesh, 6);
    this.iso = this.upload(scene.isoLines);
  }

  setPaths(paths: readonly GlPath[]): void {
    for (const p of this.paths) this.free(p.ribbons, p.joints, p.points);
    this.paths = paths.map((path) => ({
      path,
      ribbons: this.upload(ribbonVertices(path.width > 0 ? path.lines : []), 8),
      joints: this.upload(Float32Array.from(path.width > 0 ? path.lines.flat(2) : [])),
      points: this.upload(Float32Array.from(path.points.flat())),
    }));
  }

  draw(matrix: Mat4, colours: SurfaceColours, markers: readonly GlMarker[]): void {
    const gl = this.gl;
    const { width, height } = gl.canvas;
    const dpr = window.devicePixelRatio || 1;
    gl.viewport(0, 0, width, height);
    gl.clearColor(colours.bg[0], colours.bg[1], colours.bg[2], 1);
    gl.clear(gl.COLOR_BUFFER_BIT | gl.DEPTH_BUFFER_BIT);
    gl.enable(gl.BLEND);
    gl.blendFunc(gl.SRC_ALPHA, gl.ONE_MINUS_SRC_ALPHA);
    gl.enable(gl.DEPTH_TEST);
    gl.depthFunc(gl.LEQUAL);
    this.lines(matrix, this.frame, colours.frame);
    if (this.mesh) this.drawMesh(matrix, this.mesh, colours);
    if (this.iso) this.lines(matrix, this.iso, colours.iso);
    // Paths: faintly where a hill hides them, in full where they are in sight.
    gl.depthMask(false);
    for (const visible of [false, true]) {
      if (visible) gl.enable(gl.DEPTH_TEST);
      else gl.disable(gl.DEPTH_TEST);
      for (const { path, ribbons, joints } of this.paths) {
        const colour: Rgba = visible ? path.colour : [path.colour[0], path.colour[1], path.colour[2], path.colour[3] * FAINT];
        this.drawRibbons(matrix, ribbons, path.width * dpr, colour);
        this.points(matrix, joints, path.width * dpr, colour);
      }
    }
    gl.disable(gl.DEPTH_TEST);
    for (const { path, points } of this.paths) this.points(matrix, points, 2 * path.pointRadius * dpr, path.colour);
    for (const m of markers) {
      const at = this.upload(Float32Array.from(m.at));
      this.points(matrix, at, 14 * dpr, colours.ring);
      this.points(matrix, at, 10 * dpr, m.colour);
      this.free(at);
    }
    gl.depthMask(true);
  }

  private drawMesh(matrix: Mat4, mesh: { buffer: WebGLBuffer; count: number }, colours: SurfaceColours): void {
    const gl = this.gl;
    const p = this.surface;
    gl.useProgram(p.program);
    gl.uniformMatrix4fv(p.uniform('uMatrix'), false, matrix);
    gl.uniform3f(p.uniform('uLow'), colours.low[0], colours.low[1], colours.low[2]);
    gl.uniform3f(p.uniform('uHigh'), colours.high[0], colours.high[1], colours.high[2]);
    gl.uniform3f(p.uniform('uLight'), ...LIGHT);
    gl.bindBuffer(gl.ARRAY_BUFFER, mesh.buffer);
    this.attribute(p, 'aPos', 3, 6, 0);
    this.attribute(p, 'aNormal', 3, 6, 3);
    // Pushed back a little so the iso-lines and paths on it win the depth test.
    gl.enable(gl.POLYGON_OFFSET_FILL);
    gl.polygonOffset(1, 1);
    gl.drawArrays(gl.TRIANGLES, 0, mesh.count);
    gl.disable(gl.POLYGON_OFFSET_FILL);
    this.release(p, 'aPos', 'aNormal');
  }

  private drawRibbons(matrix: Mat4, ribbons: { buffer: WebGLBuffer; count: number }, width: number, colour: Rgba): void {
    if (ribbons.count === 0) return;
    const gl = this.gl;
    const p = this.ribbon;
    gl.useProgram(p.program);
    gl.uniformMatrix4fv(p.uniform('uMatrix'), false, matrix);
    gl.uniform2f(p.uniform('uHalfViewport'), gl.canvas.width / 2, gl.canvas.height / 2);
    gl.uniform1f(p.uniform('uWidth'), width);
    gl.uniform4f(p.uniform('uColour'), ...colour);
    gl.bindBuffer(gl.ARRAY_BUFFER, ribbons.buffer);
    this.attribute(p, 'aA', 3, 8, 0);
    this.attribute(p, 'aB', 3, 8, 3);
    this.attribute(p, 'aSide', 1, 8, 6);
    this.attribute(p, 'aEnd', 1, 8, 7);
    gl.drawArrays(gl.TRIANGLES, 0, ribbons.count);
    this.release(p, 'aA', 'aB', 'aSide', 'aEnd');
  }

  private lines(matrix: Mat4, lines: { buffer: WebGLBuffer; count: number }, colour: Rgba): void {
    this.drawFlat(matrix, lines, this.gl.LINES, 1, colour);
  }

  private points(matrix: Mat4, points: { buffer: WebGLBuffer; count: number }, size: number, colour: Rgba): void {
    if (size > 0) this.drawFlat(matrix, points, this.gl.POINTS, size, colour);
  }

  private drawFlat(matrix: Mat4, data: { buffer: WebGLBuffer; count: number }, mode: number, size: number, colour: Rgba): void {
    if (data.count === 0) return;
    const gl = this.gl;
    const p = this.flat;
    gl.useProgram(p.program);
    gl.uniformMatrix4fv(p.uniform('uMatrix'), false, matrix);
    gl.uniform1f(p.uniform('uSize'), size);
    gl.uniform1f(p.uniform('uRound'), mode === gl.POINTS ? 1 : 0);
    gl.uniform4f(p.uniform('uColour'), ...colour);
    gl.bindBuffer(gl.ARRAY_BUFFER, data.buffer);
    this.attribute(p, 'aPos', 3, 3, 0);
    gl.drawArrays(mode, 0, data.count);
    this.release(p, 'aPos');
  }

  private attribute(p: Program, name: string, size: number, stride: number, offset: number): void {
    const at = p.attrib(name);
    this.gl.enableVertexAttribArray(at);
    this.gl.vertexAttribPointer(at, size, this.gl.FLOAT, false, stride * 4, offset * 4);
  }

  private release(p: Program, ...names: string[]): void {
    for (const name of names) this.gl.disableVertexAttribArray(p.attrib(name));
  }

  /** `floats` as a vertex buffer of `stride` floats a vertex. */
  private upload(floats: Float32Array, stride = 3): { buffer: WebGLBuffer; count: number } {
    const gl = this.gl;
    const buffer = gl.createBuffer();
    if (!buffer) throw new Error('WebGL could not allocate a buffer');
    gl.bindBuffer(gl.ARRAY_BUFFER, buffer);
    gl.bufferData(gl.ARRAY_BUFFER, floats, gl.STATIC_DRAW);
    return { buffer, count: floats.length / stride };
  }

  private free(...buffers: ({ buffer: WebGLBuffer } | undefined)[]): void {
    for (const b of buffers) if (b) this.gl.deleteBuffer(b.buffer);
  }
}

/** Six vertices (two triangles) per segment: a, b, side (−1 or 1) and end (0 at a, 1 at b). */
function ribbonVertices(lines: readonly Vec3[][]): Float32Array {
  const out: number[] = [];
  const corner = (a: Vec3, b: Vec3, side: number, end: number) => out.push(...a, ...b, side, end);
  for (const line of lines) {
    for (let i = 0; i + 1 < line.length; i++) {
      const a = line[i], b = line[i + 1];
      corner(a, b, -1, 0); corner(a, b, 1, 0); corner(a, b, 1, 1);
      corner(a, b, -1, 0); corner(a, b, 1, 1); corner(a, b, -1, 1);
    }
  }
  return Float32Array.from(out);
}

/** The box's floor and its four upright edges, as line pairs. */
function frameLines(): Float32Array {
  const c: [number, number][] = [[-1, -1], [1, -1], [1, 1], [-1, 1]];
  const out: number[] = [];
  c.forEach(([x, y], i) => {
    const [nx, ny] = c[(i + 1) % 4];
    out.push(x, y, 0, nx, ny, 0, x, y, 0, x, y, Z_TOP);
  });
  return Float32Array.from(out);
}

function program(gl: WebGLRenderingContext, source: { vertex: string; fragment: string }): Program {
  const shader = (type: number, text: string): WebGLShader => {
    const s = gl.createShader(type);
    if (!s) throw new Error('WebGL could not create a shader');
    gl.shaderSource(s, text);
    gl.compileShader(s);
    if (!gl.getShaderParameter(s, gl.COMPILE_STATUS)) throw new Error(`shader: ${gl.getShaderInfoLog(s) ?? 'did not compile'}`);
    return s;
  };
  const p = gl.createProgram();
  if (!p) throw new Error('WebGL could not create a program');
  gl.attachShader(p, shader(gl.VERTEX_SHADER, source.vertex));
  gl.attachShader(p, shader(gl.FRAGMENT_SHADER, source.fragment));
  gl.linkProgram(p);
  if (!gl.getProgramParameter(p, gl.LINK_STATUS)) throw new Error(`program: ${gl.getProgramInfoLog(p) ?? 'did not link'}`);
  const uniforms = new Map<string, WebGLUniformLocation | null>();
  return {
    program: p,
    attrib: (name) => gl.getAttribLocation(p, name),
    uniform: (name) => {
      if (!uniforms.has(name)) uniforms.set(name, gl.getUniformLocation(p, name));
      return uniforms.get(name) ?? null;
    },
  };
}

function normalise(v: Vec3): Vec3 {
  const n = Math.hypot(...v);
  return [v[0] / n, v[1] / n, v[2] / n];
}
