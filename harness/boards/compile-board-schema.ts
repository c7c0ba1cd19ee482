/**
 * Build step: compiles the board-file schema into a standalone validator module
 * (`board-validator.js` next to the built board-file.js), so that loading a board does not compile
 * the schema with ajv in every process (a quarter of a second, twice per `rtio-hil test`).
 * `npm run build` runs it on the built JS: `node dist/harness/boards/compile-board-schema.js`.
 * Without it (ts-node, tests) board-file.ts compiles the schema at first use, with the same options.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import standaloneCode from 'ajv/dist/standalone';
import { boardSchemaAjv, boardSchema } from './board-file';

/** File name of the compiled validator, next to board-file.js. */
export const BOARD_VALIDATOR_MODULE = 'board-validator.js';

/** Writes the standalone validator of the board-file schema to `file`. */
export function writeBoardValidator(file: string): void {
  const ajv = boardSchemaAjv(true);
  writeFileSync(file, standaloneCode(ajv, ajv.compile(boardSchema())));
}

if (require.main === module) writeBoardValidator(join(__dirname, BOARD_VALIDATOR_MODULE));
