/** The `rtio-hil` executable (bin/rtio-hil loads this from dist/): runs {@link main} and exits with its status. */
import { main } from './main';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`rtio-hil: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 2;
  },
);
