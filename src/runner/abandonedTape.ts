/** The runner releases what a throwing objective left on tfjs's tape with core's helper (one implementation). */
export { releaseAbandonedTape } from '../core/compiled/abandonedTape';
