// The full build: hcx, EU DCC, SMART Health Cards, ICAO VDS-NC; texts, pictures and frames.
import { loadBuild } from './load.mjs';

export const { Verifier, decode, issue, scanFrame, scanImage, HcxError, build, limits, faults } = await loadBuild('full');
export { loadBuild };
