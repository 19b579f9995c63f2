// '@tensorflow/tfjs' as an objective file sees it: the runner maps the import to
// its own TensorFlow.js, whose ops, tensors, gradients and losses are tfjs-core's
// (layers, data and converter are not part of the objective contract).
import '../tfjs-core/public/chained_ops/register_all_chained_ops';
export * from '../tfjs-core/index';
