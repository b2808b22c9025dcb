// Spinners only on a real terminal with a width; plain lines otherwise (CI=true, pipes, 0 columns).
import test from 'ava';
import { isInteractive } from '../../lab/log.ts';

const tty = (columns: number) => ({ isTTY: true, columns }) as unknown as NodeJS.WriteStream;

test('spinner on a terminal, plain lines in CI, in pipes and on a 0-column PTY', (t) => {
  t.true(isInteractive(tty(120), {}));
  t.false(isInteractive(tty(120), { CI: 'true' }));
  t.false(isInteractive(tty(120), { TERM: 'dumb' }));
  t.false(isInteractive({ isTTY: false } as unknown as NodeJS.WriteStream, {}));
  t.false(isInteractive(tty(0), {}), 'a PTY without a size would make ora redraw forever');
});
