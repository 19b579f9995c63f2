import { z } from 'zod';

/** A schedule as torch builds it (src/core/schedules/scheduleForm.ts), or a user's schedule function: what the snippet renders. */
export type ScheduleFormMessage =
  | { type: 'constant' }
  | { type: 'scheduler'; torchClass: string; args: Record<string, number | boolean | string | number[]> }
  | { type: 'chain'; members: ScheduleFormMessage[] }
  | { type: 'sequential'; milestones: number[]; phases: ScheduleFormMessage[] }
  | { type: 'function'; file: string; name: string };
export const scheduleFormSchema: z.ZodType<ScheduleFormMessage> = z.lazy(() =>
  z.discriminatedUnion('type', [
    z.object({ type: z.literal('constant') }),
    z.object({ type: z.literal('scheduler'), torchClass: z.string(), args: z.record(z.string(), z.union([z.number(), z.boolean(), z.string(), z.array(z.number())])) }),
    z.object({ type: z.literal('chain'), members: z.array(scheduleFormSchema) }),
    z.object({ type: z.literal('sequential'), milestones: z.array(z.number().int()), phases: z.array(scheduleFormSchema) }),
    z.object({ type: z.literal('function'), file: z.string(), name: z.string() }),
  ]),
);
