/**
 * TensorFlow.js's cpu backend greets every Node process with "Hi, looks like you
 * are running TensorFlow.js in Node.js..." on first use. Users would see it on
 * every run, so that one message is dropped; every other warning passes.
 */
const BANNER = 'looks like you are running TensorFlow.js in Node.js';

export function silenceTfjsBanner(): void {
  const warn = console.warn.bind(console);
  console.warn = (...args: unknown[]) => {
    if (args.some((a) => typeof a === 'string' && a.includes(BANNER))) return;
    warn(...args);
  };
}
