/** Borderless text tables for the command's output, laid out by cli-table3 (widths, Unicode, colours). */
import Table from 'cli-table3';

const NO_BORDER = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ',
};

/** `rows` (under `head`, if given) as lines of columns two spaces apart, each line indented by `indent`. */
export function textTable(rows: readonly (readonly string[])[], head?: readonly string[], indent = '  '): string[] {
  if (rows.length === 0 && head === undefined) return [];
  const table = new Table({ chars: NO_BORDER, style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 }, ...(head === undefined ? {} : { head: [...head] }) });
  table.push(...rows.map((r) => [...r]));
  return table.toString().split('\n').map((l) => `${indent}${l}`.trimEnd());
}
