/** The host's discovery without the worker: findSites in this thread, behind the same async shape. */
import { findSites } from '../../../src/host/discovery/findSites';
import type { SourceSites } from '../../../src/host/discovery/sites';

export const sitesOf = (text: string): Promise<SourceSites> => Promise.resolve(findSites(text));
