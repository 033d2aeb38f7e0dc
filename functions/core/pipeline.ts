import type { PrepareDeps } from './issue/prepare.ts';
import type { SendDeps } from './send/fan-out.ts';

/** Everything a digest run needs, built once by the composition root (functions/wiring/). */
export interface PipelineDeps extends PrepareDeps, SendDeps {}
