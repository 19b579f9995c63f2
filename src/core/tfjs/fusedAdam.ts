import * as tf from '@tensorflow/tfjs';

/**
 * The whole Adam/AdamW update as one kernel on the cpu and wasm backends: one
 * loop over the parameters instead of a dozen elementwise ops (each a kernel
 * dispatch, an allocation and a pass over memory). Every intermediate is rounded
 * to float32 exactly where the op chain in optimizers/adam.ts rounds it, in the
 * same order, so the result is bit-identical to the unfused path (IEEE float32
 * +, −, ×, ÷ and √ computed in double and rounded once give the float32 result).
 * Backends without it (tfjs-node) use the op chain.
 */
export const FUSED_ADAM = 'OptlabFusedAdam';

export interface FusedAdamAttrs {
  beta1: number;
  beta2: number;
  eps: number;
  /** L2 penalty added to the gradient (Adam), or decoupled decay factor source (AdamW). */
  weightDecay: number;
  decoupled: boolean;
  amsgrad: boolean;
  lr: number;
  /** torch's state['step'] during this update (1 on the first). */
  t: number;
}

interface CpuBackend {
  data: { get(id: tf.DataId): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}
interface WasmBackend {
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

const f32 = Math.fround;

/** out[0..3] = θ', m', v', v_max' (v_max only with amsgrad). Inputs are float32 arrays of one length. */
function adamLoop(a: FusedAdamAttrs, theta: Float32Array, grad: Float32Array, m: Float32Array, v: Float32Array, vmax: Float32Array | undefined, out: Float32Array[]): void {
  const [thetaOut, mOut, vOut, vmaxOut] = out;
  // Scalars as the op chain sees them: each JS number becomes a float32 scalar tensor.
  const b1 = f32(a.beta1);
  const oneMinusB1 = f32(1 - a.beta1);
  const b2 = f32(a.beta2);
  const oneMinusB2 = f32(1 - a.beta2);
  const wd = f32(a.weightDecay);
  const decay = f32(1 - a.lr * a.weightDecay);
  const bc2Sqrt = f32(Math.sqrt(1 - a.beta2 ** a.t));
  const eps = f32(a.eps);
  const stepSize = f32(a.lr / (1 - a.beta1 ** a.t));
  const l2 = !a.decoupled && a.weightDecay !== 0;
  const decoupledDecay = a.decoupled && a.weightDecay !== 0;
  const safe = eps > 0;
  for (let i = 0; i < theta.length; i++) {
    const p = theta[i];
    const g = l2 ? f32(grad[i] + f32(p * wd)) : grad[i];
    const th = decoupledDecay ? f32(p * decay) : p;
    const mi = f32(f32(m[i] * b1) + f32(g * oneMinusB1));
    const vi = f32(f32(v[i] * b2) + f32(f32(g * oneMinusB2) * g));
    let vhat = vi;
    if (vmax) {
      vhat = Math.max(vmax[i], vi);
      vmaxOut[i] = vhat;
    }
    const denom = f32(f32(f32(Math.sqrt(vhat)) / bc2Sqrt) + eps);
    const num = f32(mi * stepSize);
    const step = safe || denom !== 0 ? f32(num / denom) : 0;
    thetaOut[i] = f32(th - step);
    mOut[i] = mi;
    vOut[i] = vi;
  }
}

function inputsOf(inputs: tf.NamedTensorInfoMap): tf.TensorInfo[] {
  const list = [inputs.params, inputs.grad, inputs.m, inputs.v];
  if (inputs.vmax) list.push(inputs.vmax);
  return list as tf.TensorInfo[];
}

const cpuKernel: tf.KernelFunc = ({ inputs, attrs, backend }) => {
  const cpu = backend as unknown as CpuBackend;
  const a = attrs as unknown as FusedAdamAttrs;
  const ins = inputsOf(inputs);
  const arrays = ins.map((t) => cpu.data.get(t.dataId).values);
  const n = arrays[0].length;
  const outs = ins.map(() => new Float32Array(n));
  if (!a.amsgrad) outs.length = 3;
  adamLoop(a, arrays[0], arrays[1], arrays[2], arrays[3], a.amsgrad ? arrays[4] : undefined, outs);
  return outs.map((values) => cpu.makeTensorInfo([n], 'float32', values));
};

const wasmKernel: tf.KernelFunc = ({ inputs, attrs, backend }) => {
  const wasm = backend as unknown as WasmBackend;
  const a = attrs as unknown as FusedAdamAttrs;
  const ins = inputsOf(inputs);
  const n = tf.util.sizeFromShape(ins[0].shape);
  const outInfos = (a.amsgrad ? [0, 1, 2, 3] : [0, 1, 2]).map(() => wasm.makeOutput([n], 'float32'));
  // Views after every allocation: growing the heap detaches earlier views.
  const arrays = ins.map((t) => wasm.typedArrayFromHeap(t));
  adamLoop(a, arrays[0], arrays[1], arrays[2], arrays[3], a.amsgrad ? arrays[4] : undefined, outInfos.map((o) => wasm.typedArrayFromHeap(o)));
  return outInfos;
};

let registered = false;

/** Registers the kernel for cpu and wasm (idempotent). */
export function registerFusedAdam(): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({ kernelName: FUSED_ADAM, backendName: 'cpu', kernelFunc: cpuKernel });
  tf.registerKernel({ kernelName: FUSED_ADAM, backendName: 'wasm', kernelFunc: wasmKernel });
}

/**
 * Largest size at which the fused kernel beats the op chain on wasm: the wasm
 * kernels run 4-wide SIMD in float32, the fused loop scalar JS in double, so past
 * a few thousand parameters the op chain wins (bench/fusedAdam.ts: 2x faster
 * fused at n = 100, even at 4,000, 0.4x at 16,000). On cpu the fused loop wins
 * at every size (the cpu backend's elementwise ops are plain JS loops too).
 */
export const WASM_FUSED_ADAM_MAX = 4096;

/** True when the fused kernel is registered for the current backend and pays at this size. */
export function hasFusedAdam(size: number): boolean {
  registerFusedAdam();
  const backend = tf.getBackend();
  if (!fusedEnabled || tf.getKernel(FUSED_ADAM, backend) === undefined) return false;
  return backend !== 'wasm' || size <= WASM_FUSED_ADAM_MAX;
}

let fusedEnabled = true;

/** Turns the fused path off (tests compare it with the op chain; benchmarks measure both). */
export function setFusedAdamEnabled(enabled: boolean): void {
  fusedEnabled = enabled;
}

/** One fused update; returns [θ', m', v', v_max'?] (caller owns them). */
export function fusedAdam(params: tf.Tensor1D, grad: tf.Tensor1D, m: tf.Tensor1D, v: tf.Tensor1D, vmax: tf.Tensor1D | undefined, attrs: FusedAdamAttrs): tf.Tensor1D[] {
  const inputs: tf.NamedTensorMap = { params, grad, m, v };
  if (vmax) inputs.vmax = vmax;
  return tf.engine().runKernel(FUSED_ADAM, inputs, attrs as unknown as tf.NamedAttrMap) as unknown as tf.Tensor1D[];
}
