// The case table, in order. Groups 12/13 (permessage-deflate) have
// `extensions` set; the runners negotiate it per case.
import type { CaseDef, CaseTableOptions } from '../types.js';
import { closingCases } from './closing.js';
import { deflateCases } from './deflate.js';
import { fragmentationCases } from './fragmentation.js';
import { framingCases } from './framing.js';
import { limitCases } from './limits.js';
import { miscCases } from './misc.js';
import { opcodeCases } from './opcodes.js';
import { pingCases } from './ping.js';
import { reservedBitCases } from './reserved.js';
import { utf8Cases } from './utf8.js';

export function buildCases(options: CaseTableOptions = {}): CaseDef[] {
  return [
    ...framingCases(),
    ...pingCases(),
    ...reservedBitCases(),
    ...opcodeCases(),
    ...fragmentationCases(),
    ...utf8Cases(),
    ...closingCases(),
    ...limitCases(options.full ?? false),
    ...miscCases(),
    ...deflateCases(),
  ];
}
