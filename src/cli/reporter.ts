// Where a running command's records go: text lines (on a terminal, with one status line that
// updates in place below them), or one JSON object per line with --json. Progress that arrives
// many times a second is thinned: the status line redraws at most 5 times a second, and as a
// record it is written at most every 10 s (text) or every second (JSON) per agent.
import { fitLine, jsonLine, type AgentRole, type ReportRecord } from '../lib/agents/headless/report.ts';
import type { Io } from './io.ts';

const CLEAR = '\r\x1b[2K';

export interface ReporterOptions {
  json: boolean;
  now?: () => Date;
}

export class Reporter {
  private readonly statuses = new Map<string, string>();
  private readonly lastProgress = new Map<string, number>();
  private drawn = false;
  private drawTimer: ReturnType<typeof setTimeout> | null = null;
  private lastDraw = 0;
  private closed = false;

  constructor(
    private readonly io: Io,
    private readonly options: ReporterOptions,
  ) {}

  private get tty(): boolean {
    return this.io.isTTY === true && !this.options.json;
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  /** Writes one record: a JSON line, or `text` (default: the record's message) as a log line. */
  record(r: ReportRecord, text?: string): void {
    if (this.closed) return;
    const time = this.now()
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
    if (this.options.json) {
      this.io.stdout(`${jsonLine({ time, ...r })}\n`);
      return;
    }
    const who = r.task !== undefined ? `${r.role} task ${r.task}` : r.role === 'cli' ? 'aiarena' : r.role;
    const line = `${time} ${who}: ${text ?? String(r.message ?? r.type)}`;
    if (this.tty && this.drawn) this.io.stdout(CLEAR);
    this.io.stdout(`${line}\n`);
    this.drawn = false;
    if (this.tty) this.draw();
  }

  /** Progress: the agent's part of the status line (`who: text`), and a thinned record. */
  progress(id: string, r: ReportRecord, who: string, text: string): void {
    if (this.closed) return;
    this.status(id, `${who}: ${text}`);
    const every = this.options.json ? 1_000 : 10_000;
    const t = this.now().getTime();
    if (this.tty) return;
    if (t - (this.lastProgress.get(id) ?? 0) < every) return;
    this.lastProgress.set(id, t);
    this.record(r, text);
  }

  /** Sets an agent's part of the status line (terminals only). */
  status(id: string, text: string): void {
    this.statuses.set(id, text);
    if (!this.tty || this.closed) return;
    const wait = 200 - (Date.now() - this.lastDraw);
    if (wait <= 0) this.draw();
    else this.drawTimer ??= setTimeout(() => this.draw(), wait);
  }

  private draw(): void {
    if (this.drawTimer !== null) clearTimeout(this.drawTimer);
    this.drawTimer = null;
    if (this.closed || this.statuses.size === 0) return;
    this.lastDraw = Date.now();
    this.io.stdout(`${CLEAR}${fitLine([...this.statuses.values()].join(' | '), this.io.columns)}`);
    this.drawn = true;
  }

  /** Ends the status line; nothing is written after. */
  close(): void {
    if (this.drawTimer !== null) clearTimeout(this.drawTimer);
    if (this.tty && this.drawn) this.io.stdout('\n');
    this.closed = true;
  }

  /** A record of `role` about `task` (undefined: the process). */
  static of(
    role: AgentRole,
    task: bigint | undefined,
    type: string,
    fields: Record<string, unknown> = {},
  ): ReportRecord {
    return { type, role, ...(task !== undefined ? { task: String(task) } : {}), ...fields };
  }
}
