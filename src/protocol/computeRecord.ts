import { z } from 'zod';

/**
 * How a run's steps run (its meta's `compute`): 'compiled' = the objective's value and gradient compiled
 * to plain JS and the whole loop on plain arrays (`simd`: its long loops as WebAssembly SIMD; `threads`:
 * how many threads its large matrix products run on; `fusedMultiplyAdd`: those products add each term
 * with one rounding); 'tensors' = TensorFlow.js ops, with the reason.
 */
export const computeRecordSchema = z.object({
  path: z.enum(['compiled', 'tensors']),
  simd: z.boolean().optional(),
  threads: z.number().int().positive().optional(),
  fusedMultiplyAdd: z.boolean().optional(),
  reason: z.string().optional(),
});
export type ComputeRecord = z.infer<typeof computeRecordSchema>;
