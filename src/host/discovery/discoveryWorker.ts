/**
 * The discovery worker (bundled as dist/discoveryWorker.js): parses file texts with TypeScript
 * off the extension host's thread, which TypeScript's size (seconds of load on a busy machine)
 * and every keystroke's parse would otherwise block.
 */
import { parentPort } from 'node:worker_threads';
import type { DiscoveryReply, DiscoveryRequest } from './discoveryMessages';
import { findSites } from './findSites';

parentPort?.on('message', (request: DiscoveryRequest) => {
  let reply: DiscoveryReply;
  try {
    reply = { id: request.id, sites: findSites(request.text) };
  } catch (e) {
    reply = { id: request.id, error: e instanceof Error ? e.message : String(e) };
  }
  parentPort?.postMessage(reply);
});
