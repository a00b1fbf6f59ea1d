import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { Supervisor } from '../../../scripts/lib/supervisor.ts';

const sleeper = (script = 'setTimeout(() => {}, 60000)') =>
  spawn(process.execPath, ['-e', script], { stdio: 'ignore' });

describe('Supervisor', () => {
  it('reports a child that dies on its own', async () => {
    const died = new Promise<string>((resolve) => {
      const sup = new Supervisor((name, how) => resolve(`${name}: ${how}`));
      sup.watch('quitter', sleeper('process.exit(3)'));
    });
    expect(await died).toBe('quitter: exit code 3');
  });

  it('does not report a child that exits just before a shutdown begins (Ctrl-C hits the whole group)', async () => {
    const reports: string[] = [];
    const sup = new Supervisor((name) => reports.push(name));
    const child = sleeper('process.exit(0)');
    sup.watch('anvil', child);
    // Registered after the supervisor's own listener, like a SIGINT handler that runs a moment late.
    child.once('exit', () => void sup.stopAll());
    await new Promise((r) => setTimeout(r, 600));
    expect(reports).toEqual([]);
  });

  it('stops every child without reporting them as failures', async () => {
    const reports: string[] = [];
    const sup = new Supervisor((name) => reports.push(name));
    const a = sleeper();
    const b = sleeper();
    sup.watch('a', a);
    sup.watch('b', b);
    await sup.stopAll();
    expect(a.signalCode).toBe('SIGTERM');
    expect(b.signalCode).toBe('SIGTERM');
    expect(reports).toEqual([]);
  });

  it('kills a child that ignores SIGTERM', async () => {
    const sup = new Supervisor(() => {});
    const stubborn = spawn(
      process.execPath,
      ['-e', "process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000)"],
      {
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    await new Promise((r) => stubborn.stdout!.once('data', r));
    sup.watch('stubborn', stubborn);
    await sup.stopAll(300);
    expect(stubborn.signalCode).toBe('SIGKILL');
  });

  it('stops a child handed over after shutdown began', async () => {
    const sup = new Supervisor(() => {});
    await sup.stopAll();
    const late = sleeper();
    sup.watch('late', late);
    await new Promise((r) => late.once('exit', r));
    expect(late.signalCode).toBe('SIGTERM');
  });
});
