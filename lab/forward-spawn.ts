// The real spawner of the forward supervisor: runs `kubectl port-forward` (argv, no shell), passes
// its lines on prefixed with the target's name, and drops the "Handling connection for N" line
// kubectl prints for every request.
//
// kubectl exits by itself when the API server closes the stream ("lost connection to pod"). When the
// pod behind it is deleted, older kubectl kept running and failed each new connection with "an error
// occurred forwarding … No such container / failed to find sandbox" (kubernetes/kubectl#686): such a
// line ends the process here, so the supervisor starts a forward to the Service's new pod.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { ForwardExit, ForwardSpawner } from './forward-supervisor.ts';

/** A kubectl line that says the pod this forward was bound to is gone. A refused connection
 * (the app in a live pod still starting) is not one: the forward itself is fine. */
export function podGoneLine(line: string): boolean {
  if (/lost connection to pod/i.test(line)) return true;
  return /an error occurred forwarding/i.test(line) && /no such container|failed to find sandbox|sandbox .* not found|network namespace .* is closed|container not running|pod not found/i.test(line);
}

/** `kill()` sends SIGTERM, then SIGKILL after `killGraceMs` if the process is still there: the
 * supervisor waits for the exit, so a kill must always end the process. */
export function kubectlSpawner(write: (line: string) => void, opts: { killGraceMs?: number } = {}): ForwardSpawner {
  const grace = opts.killGraceMs ?? 5000;
  return (argv, name) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let settle!: (e: ForwardExit) => void;
    const exited = new Promise<ForwardExit>((resolve) => {
      let done = false;
      settle = (e) => {
        if (!done) {
          done = true;
          resolve(e);
        }
      };
    });
    let hardKill: NodeJS.Timeout | undefined;
    const kill = () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      hardKill ??= setTimeout(() => child.kill('SIGKILL'), grace).unref();
    };
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!/^Handling connection for \d+$/.test(line.trim())) write(`${name}: ${line}`);
    });
    createInterface({ input: child.stderr! }).on('line', (line) => {
      write(`${name}: ${line}`);
      if (podGoneLine(line)) kill();
    });
    child.once('error', (err) => settle({ code: null, signal: null, error: err.message }));
    child.once('close', (code, signal) => {
      if (hardKill) clearTimeout(hardKill);
      settle({ code, signal });
    });
    return { exited, kill };
  };
}
