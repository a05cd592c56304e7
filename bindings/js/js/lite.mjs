// The small build: hcx codes from texts only (for size-critical hosts such as mini-programs).
import { loadBuild } from './load.mjs';

export const { Verifier, decode, issue, scanFrame, scanImage, HcxError, build, limits, faults } = await loadBuild('lite');
export { loadBuild };
