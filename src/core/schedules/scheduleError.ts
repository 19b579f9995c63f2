/** A schedule spec or schedule argument that cannot be used; the message names the problem. */
export class ScheduleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScheduleError';
  }
}
