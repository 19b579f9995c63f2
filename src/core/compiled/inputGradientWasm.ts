/**
 * Conv2DBackpropInput without patches: dx computed phase by phase as products that read dy where it is.
 * im2col's adjoint would first write dPatches = dy · filterᵀ (pixels × taps·inC, 1.2 MB for the cnn bench's
 * second layer) and then add every patch back into dx (col2im). Here the pixels of dx fall into sh × sw phases
 * (y mod sh, x mod sw); in one phase the same taps reach every pixel, each from dy at a fixed offset
 * (oy = py + dOy): so a phase is a product whose row for pixel (b, py, px) is the runs dy[b, py + dOy, px + dOx, :]
 * of its taps, one after the other, against filterᵀ's rows for those taps. Each element of dx is written once,
 * by a float32x4 block of 2 pixels × 16 channels held in registers over all its taps (as gemmWasm.ts' blocks),
 * summed tap by tap (fy, then fx), each over dy's channels in order; a tap that would read past dy's edges (tf's
 * 'same' padding) is left out for that pixel, as TensorFlow.js leaves it out (inputGradientEmit.ts has the code).
 * A module per geometry and form (its numbers are constants in the code), on any memory (kernelsOn.ts).
 * Applies with dilation 1 (tfjs's conv2d gradient refuses other dilations) and inC a multiple of 4.
 */
import { kernelsOn } from '../wasm/kernelsOn';
import { wasmSimdSupported } from '../wasm/loopModule';
import type { ConvGeometry } from './convKernels';
import { fusedProducts, memoryOfAll } from './gemmKernels';
import { SUM_SLOTS, emitInputGradient } from './inputGradientEmit';

/** A tap reaching every pixel of a phase: its index fy·fw + fx, and where it reads dy: (py + dOy, px + dOx). */
export interface Tap { readonly tap: number; readonly dOy: number; readonly dOx: number }
/** The pixels (ry + sh·py, rx + sw·px), py < rows, px < cols, and their taps (none: those pixels are 0). */
export interface Phase { readonly ry: number; readonly rx: number; readonly rows: number; readonly cols: number; readonly taps: readonly Tap[] }

/** The phases of a geometry. */
export interface PhasePlan {
  readonly phases: readonly Phase[];
}

const mod = (v: number, s: number) => ((v % s) + s) % s;

/** The geometry's phases, or undefined where this kernel does not apply (dilation ≠ 1, inC not a multiple of 4). */
export function phasePlan(g: ConvGeometry): PhasePlan | undefined {
  const [, inH, inW, inC, , , , fh, fw, sh, sw, dh, dw, top, left] = Array.from(g, (v) => v | 0);
  if (dh !== 1 || dw !== 1 || inC % 4 !== 0 || inC === 0) return undefined;
  const phases: Phase[] = [];
  for (let ry = 0; ry < Math.min(sh, inH); ry++) {
    for (let rx = 0; rx < Math.min(sw, inW); rx++) {
      const taps: Tap[] = [];
      for (let fy = 0; fy < fh; fy++) {
        for (let fx = 0; fx < fw; fx++) {
          // dx row y = ry + sh·py gets tap fy from dy row oy when y + top − fy = sh·oy.
          if (mod(ry + top - fy, sh) !== 0 || mod(rx + left - fx, sw) !== 0) continue;
          taps.push({ tap: fy * fw + fx, dOy: (ry + top - fy) / sh, dOx: (rx + left - fx) / sw });
        }
      }
      phases.push({ ry, rx, rows: Math.ceil((inH - ry) / sh), cols: Math.ceil((inW - rx) / sw), taps });
    }
  }
  return { phases };
}

/** Numbers of the scratch buffer the phases use: the epilogue's partial sums. */
export function inputGradientScratchFloats(g: ConvGeometry): number {
  return SUM_SLOTS * g[3];
}

type InputGradient = (dy: number, filterT: number, dx: number, mask: number, sums: number, partials: number) => void;

/**
 * What the kernel does to dx before it stores it (a relu's and its bias's gradients, inputGradientEpilogues.ts):
 * dx·step(mask) as tf's Step computes it (mask > 0: 1, NaN: NaN, else alpha), each product one float32 multiply;
 * with `sums`, the products summed per channel in float32: a block's two pixels added, that into one of SUM_SLOTS
 * partial sums (by the block's place in its row), the partial sums added in order at the end.
 */
export interface DxEpilogue {
  readonly mask: Float32Array;
  readonly alpha: number;
  readonly sums?: Float32Array;
}

/** A geometry's function on one memory, by the call's geometry buffer (a program constant); its numbers, memory and form are compared before use. */
const specialized = new WeakMap<object, {
  readonly geometry: Float64Array; readonly memory: WebAssembly.Memory; readonly fused: boolean;
  /** The epilogue's alpha (NaN: none) and whether it sums. */
  readonly alpha: number; readonly sums: boolean;
  readonly scratchFloats: number; readonly dx: InputGradient;
}>();

/**
 * dx = Conv2DBackpropInput(dy, filter) from filterT (the filter transposed, [outC, fh·fw·inC]), then the epilogue if
 * given, when dy, filterT, dx, `scratch` (inputGradientScratchFloats numbers) and the epilogue's arrays are views of one
 * registered program memory, SIMD is there and the geometry has a plan; false (nothing written) otherwise.
 */
export function wasmInputGradient(dy: Float32Array, filterT: Float32Array, dx: Float32Array, scratch: Float32Array, g: ConvGeometry, epilogue?: DxEpilogue): boolean {
  const memory = epilogue ? memoryOfAll(dy, filterT, dx, scratch, epilogue.mask, ...(epilogue.sums ? [epilogue.sums] : [])) : memoryOfAll(dy, filterT, dx, scratch);
  if (!memory || !wasmSimdSupported()) return false;
  const fused = fusedProducts();
  let entry = specialized.get(g);
  const same = entry && entry.memory === memory && entry.fused === fused && Object.is(entry.alpha, epilogue?.alpha ?? NaN) && entry.sums === (epilogue?.sums !== undefined);
  if (!entry || !same || !entry.geometry.every((v, i) => v === g[i])) {
    const made = instantiate(memory, g, fused, epilogue);
    if (!made) return false;
    entry = { geometry: Float64Array.from(g), memory, fused, alpha: epilogue?.alpha ?? NaN, sums: epilogue?.sums !== undefined, ...made };
    specialized.set(g, entry);
  }
  if (scratch.length < entry.scratchFloats) return false;
  entry.dx(dy.byteOffset, filterT.byteOffset, dx.byteOffset, epilogue?.mask.byteOffset ?? 0, epilogue?.sums?.byteOffset ?? 0, scratch.byteOffset);
  return true;
}

/**
 * The geometry's function on `memory` (the module emitted once per geometry, fusing, epilogue and sharing);
 * undefined without a plan.
 */
function instantiate(memory: WebAssembly.Memory, g: ConvGeometry, fused: boolean, epilogue: DxEpilogue | undefined): { scratchFloats: number; dx: InputGradient } | undefined {
  const plan = phasePlan(g);
  if (!plan) return undefined;
  const geometry = Array.from(g, (v) => v | 0);
  const code = epilogue ? { alpha: epilogue.alpha, sums: epilogue.sums !== undefined } : undefined;
  const form = `${fused ? 'fused' : 'mul+add'}${code ? ` step ${code.alpha}${code.sums ? ' sums' : ''}` : ''}`;
  const exports = kernelsOn(`inputGradient ${geometry.join(',')} ${form}`, memory, () => [{ name: 'dx', code: emitInputGradient(geometry, plan, fused, code) }]);
  return { dx: exports.dx as InputGradient, scratchFloats: inputGradientScratchFloats(g) };
}
