import * as tf from '@tensorflow/tfjs';
import { registerPoolSecondOrder } from './poolSecondOrder';
import { tileGradient } from './tileGradient';

/**
 * Makes double back-propagation correct in TensorFlow.js 4.22 (tfjs#3252).
 *
 * Why it is wrong upstream: the engine saves a kernel's tensors for backprop as
 * clones whose tape node is recorded *before* the kernel's own node, so a
 * gradient that reads a saved *output* (tanh, exp, sigmoid, pow, elu, softmax)
 * treats it as a constant when differentiated again: a silently wrong HVP.
 * Saved *inputs* are fine (their producers precede the clone on the tape). Ops
 * built with `customGrad` (logSoftmax, logSigmoid, softmaxCrossEntropy) run their
 * forward pass off the tape, so their gradients are constants too.
 *
 * The fix: re-register those gradients to save inputs only and recompute the
 * output with the same kernel (first derivatives stay bit-identical); inside
 * `withSecondOrder` run customGrad ops through their forward function so the
 * tape sees them; and give gradient kernels that have no gradient of their own
 * one that throws "second derivative not supported for op X".
 */

type GradFunc = tf.GradConfig['gradFunc'];

let registered = false;
let secondOrderDepth = 0;
const originals = new Map<string, tf.GradConfig>();

export function registerSecondOrderGradients(): void {
  if (registered) return;
  registered = true;
  for (const config of fixedGradients) {
    const original = tf.getGradient(config.kernelName);
    if (original) originals.set(config.kernelName, original);
    tf.registerGradient(config);
  }
  registerPoolSecondOrder();
  tf.registerGradient(tileGradient);
  // Comparisons are piecewise constant; upstream registers no gradient for them,
  // so a second backprop through `where(greater(x, 0), ...)` would throw.
  for (const kernelName of comparisons) {
    if (!tf.getGradient(kernelName)) tf.registerGradient(zeroGradient(kernelName));
  }
  for (const [kernelName, op] of unsupported) {
    if (!tf.getGradient(kernelName)) tf.registerGradient(throwingGradient(kernelName, op));
  }
  patchCustomGrad();
}

/** The gradient configs replaced by `registerSecondOrderGradients` (to check first derivatives are unchanged). */
export function originalGradients(): ReadonlyMap<string, tf.GradConfig> {
  return originals;
}

/**
 * Runs `fn` with customGrad ops differentiated through their forward pass, so a
 * gradient taken inside `fn` can be differentiated again. Use around HVPs only:
 * outside, customGrad keeps its own (first-order) gradient.
 */
export function withSecondOrder<T>(fn: () => T): T {
  registerSecondOrderGradients();
  secondOrderDepth++;
  try {
    return fn();
  } finally {
    secondOrderDepth--;
  }
}

export function secondDerivativeError(op: string): Error {
  return new Error(`second derivative not supported for op ${op}`);
}

const unary = (kernelName: string, grad: (x: tf.Tensor, dy: tf.Tensor) => tf.Tensor): tf.GradConfig => ({
  kernelName,
  inputsToSave: ['x'],
  gradFunc: ((dy: tf.Tensor, saved: tf.Tensor[]) => ({ x: () => grad(saved[0], dy) })) as GradFunc,
});

const fixedGradients: tf.GradConfig[] = [
  // Same formulas as tfjs-core's, with the output recomputed from the saved input.
  unary('Tanh', (x, dy) => tf.mul(tf.sub(tf.scalar(1), tf.square(tf.tanh(x))), dy)),
  unary('Exp', (x, dy) => tf.mul(dy, tf.exp(x))),
  unary('Sigmoid', (x, dy) => {
    const y = tf.sigmoid(x);
    return tf.mul(dy, tf.mul(y, tf.sub(tf.scalar(1), y)));
  }),
  {
    // Same EluGrad kernel as upstream (bit-identical), fed a recomputed y that
    // the tape can see; EluGrad's own gradient is registered below.
    kernelName: 'Elu',
    inputsToSave: ['x'],
    gradFunc: ((dy: tf.Tensor, saved: tf.Tensor[]) => ({
      x: () => tf.engine().runKernel('EluGrad', { dy, y: tf.elu(saved[0]) }) as tf.Tensor,
    })) as GradFunc,
  },
  {
    // EluGrad(dy, y) = dy where y > 0, else dy·(y + 1).
    kernelName: 'EluGrad',
    inputsToSave: ['dy', 'y'],
    gradFunc: ((ddx: tf.Tensor, saved: tf.Tensor[]) => {
      const [dy, y] = saved;
      const positive = tf.greater(y, 0);
      return {
        dy: () => tf.where(positive, ddx, tf.mul(ddx, tf.add(y, tf.scalar(1)))),
        y: () => tf.where(positive, tf.zerosLike(y), tf.mul(ddx, dy)),
      };
    }) as GradFunc,
  },
  {
    kernelName: 'Softmax',
    inputsToSave: ['logits'],
    gradFunc: ((dy: tf.Tensor, saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
      const dim = attrs.dim as number;
      return {
        logits: () => {
          const y = tf.softmax(saved[0], dim);
          const dyTimesY = tf.mul(dy, y);
          return tf.sub(dyTimesY, tf.mul(tf.sum(dyTimesY, [dim], true), y));
        },
      };
    }) as GradFunc,
  },
  {
    kernelName: 'Pow',
    inputsToSave: ['a', 'b'],
    gradFunc: ((dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [a, b] = saved;
      const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
      const reduceTo = (res: tf.Tensor, shape: number[]) => {
        const axes = tf.backend_util.getReductionAxes(shape, outShape);
        return tf.reshape(axes.length > 0 ? tf.sum(res, axes) : res, shape);
      };
      return {
        a: () => {
          const bFloat = tf.cast(b, 'float32');
          return reduceTo(tf.mul(dy, tf.mul(bFloat, tf.pow(a, tf.sub(bFloat, tf.scalar(1))))), a.shape);
        },
        b: () => {
          const logA = tf.where(tf.greater(a, 0), tf.log(a), tf.zerosLike(a));
          return reduceTo(tf.mul(dy, tf.mul(tf.pow(a, b), logA)), b.shape);
        },
      };
    }) as GradFunc,
  },
  {
    // Upstream has no gradient for it; conv2d's filter gradient needs one for HVPs.
    kernelName: 'Conv2DBackpropFilter',
    inputsToSave: ['x', 'dy'],
    gradFunc: ((ddw: tf.Tensor, saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
      const [x, dy] = saved;
      const { strides, pad, dataFormat, dimRoundingMode } = attrs;
      return {
        x: () =>
          tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: ddw }, {
            strides, pad, dataFormat, dimRoundingMode, inputShape: x.shape,
          }) as tf.Tensor,
        dy: () =>
          tf.conv2d(
            x as tf.Tensor4D, ddw as tf.Tensor4D, strides as [number, number], pad as 'valid' | 'same',
            dataFormat as 'NHWC' | 'NCHW', 1, dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
          ),
      };
    }) as GradFunc,
  },
];

const comparisons = ['Equal', 'NotEqual', 'Greater', 'GreaterEqual', 'Less', 'LessEqual'];

function zeroGradient(kernelName: string): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: ['a', 'b'],
    gradFunc: ((_dy: tf.Tensor, [a, b]: tf.Tensor[]) => ({
      a: () => tf.zerosLike(a).toFloat(),
      b: () => tf.zerosLike(b).toFloat(),
    })) as GradFunc,
  };
}

/** Gradient kernels without a gradient of their own, and the op users call. */
const unsupported: ReadonlyArray<[string, string]> = [
  ['MaxPool3DGrad', 'maxPool3d'],
  ['AvgPool3DGrad', 'avgPool3d'],
  ['LRNGrad', 'localResponseNormalization'],
  ['ResizeBilinearGrad', 'resizeBilinear'],
  ['ResizeNearestNeighborGrad', 'resizeNearestNeighbor'],
  ['Conv3DBackpropFilterV2', 'conv3d'],
  ['Conv3DBackpropInputV2', 'conv3d'],
  ['DepthwiseConv2dNativeBackpropFilter', 'depthwiseConv2d'],
  ['DepthwiseConv2dNativeBackpropInput', 'depthwiseConv2d'],
  ['Dilation2DBackpropInput', 'dilation2d'],
  ['Dilation2DBackpropFilter', 'dilation2d'],
];

function throwingGradient(kernelName: string, op: string): tf.GradConfig {
  return {
    kernelName,
    gradFunc: (() => {
      throw secondDerivativeError(op);
    }) as GradFunc,
  };
}

type CustomOp = (...args: tf.Tensor[]) => tf.Tensor;
type CustomForward = (...args: unknown[]) => { value: tf.Tensor };
interface CustomGradEngine {
  customGrad(f: CustomForward): CustomOp;
}

/**
 * `tf.customGrad(f)` calls `ENGINE.customGrad(f)` on every op call, so wrapping
 * the engine's method reaches logSoftmax, logSigmoid and softmaxCrossEntropy.
 */
function patchCustomGrad(): void {
  const engine = tf.engine() as unknown as CustomGradEngine;
  const original = engine.customGrad.bind(engine);
  engine.customGrad = (f) => {
    const op = original(f);
    return (...inputs) => (secondOrderDepth > 0 ? f(...inputs, () => undefined).value : op(...inputs));
  };
}
