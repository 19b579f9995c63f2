/**
 * Stage 4 of compileProgram: code generation. The schedule's steps become the
 * body of one JS function, in order; a fused loop whose every statement has
 * an IR form and that is long enough runs as WebAssembly (the JS calls it),
 * the others are JS loops. Calls of standalone kernels, copies and fills are
 * JS lines.
 */
import type { LoopIR } from '../wasm/loopIR';
import { jsCopy, jsLoop } from './jsLoop';
import { JsNames, KERNELS, SQUARED_NORMS, WASM_LOOPS } from './jsNames';
import { jsLiteral } from './printJs';
import type { CallArgument, Schedule, Step } from './schedule';
import { wasmLoopIR } from './wasmLoopIR';

/** Loops shorter than this stay in JS: a call into WebAssembly and the copies in and out cost more than they save. */
export const WASM_MIN_SIZE = 32;

export interface GeneratedCode {
  /** The body of the program function (parameters: jsNames.PARAMETERS). */
  readonly source: string;
  /** The loops that run as WebAssembly, in the order the source calls them. */
  readonly wasmLoops: readonly LoopIR[];
  /** Loops and standalone calls (copies into the caller's outputs excluded). */
  readonly loops: number;
  /** Fused loops of WASM_MIN_SIZE elements or more that stay in JS. */
  readonly jsLoops: number;
}

export function generateCode(schedule: Schedule, wasm: boolean): GeneratedCode {
  const names = new JsNames(schedule.buffers);
  const wasmLoops: LoopIR[] = [];
  let loops = 0;
  let jsLoops = 0;
  const lineOf = (step: Step): string => {
    switch (step.kind) {
      case 'loop': {
        loops++;
        const ir = wasm && step.loop.size >= WASM_MIN_SIZE ? wasmLoopIR(step.loop) : undefined;
        if (!ir) {
          if (step.loop.size < WASM_MIN_SIZE) return jsLoop(step.loop, names);
          jsLoops++;
          return ownFunction(jsLoop(step.loop, names));
        }
        wasmLoops.push(ir);
        const norm = step.loop.ops.find((op) => op.kind === 'sumSquares');
        return `${norm ? `${SQUARED_NORMS}[${norm.slot}] = ` : ''}${WASM_LOOPS}[${wasmLoops.length - 1}]();`;
      }
      case 'copy': {
        if (step.counted) loops++;
        if (step.size < WASM_MIN_SIZE) return jsCopy(step.buf, step.size, step.value, names);
        if (!wasm) return ownFunction(jsCopy(step.buf, step.size, step.value, names));
        // A view made a buffer (a transpose before a product): one store per element, as WebAssembly.
        wasmLoops.push({ size: step.size, scalars: [], body: [{ op: 'store', buf: step.buf, value: step.value }], accumulators: [] });
        return `${WASM_LOOPS}[${wasmLoops.length - 1}]();`;
      }
      case 'fill':
        return `${names.buffer(step.buf)}.fill(${jsLiteral(step.value)});`;
      case 'set':
        return `${names.buffer(step.buf)}.set(${names.buffer(step.from)});`;
      case 'call':
        loops++;
        return `${KERNELS}.${step.kernel}(${step.args.map((a) => argumentJs(a, names)).join(', ')});`;
    }
  };
  const body = schedule.steps.map(lineOf);
  const source = ['const fr = Math.fround;', ...names.prologue(schedule.maps.length), ...body].join('\n');
  return { source, wasmLoops, loops, jsLoops };
}

/**
 * A long JS loop as a function of its own, called in place: the engine optimises each such loop on its
 * own and keeps that code, where one function of hundreds of loops ran unoptimised (boxing every
 * float64) for the first runs and again after each deoptimisation.
 */
const ownFunction = (block: string): string => `(() => ${block})();`;

function argumentJs(a: CallArgument, names: JsNames): string {
  if (typeof a === 'number' || typeof a === 'boolean') return `${a}`;
  if ('buffer' in a) return names.buffer(a.buffer);
  if ('buffers' in a) return `[${a.buffers.map((b) => names.buffer(b)).join(', ')}]`;
  return `[${a.join(', ')}]`;
}
