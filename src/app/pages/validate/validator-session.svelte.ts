// The Validate page's live view of one validator agent (task, account): opens and starts the
// agent, mirrors its state and evaluation progress into runes, keeps every failed attempt's
// message per model (by evaluation key; the state keeps only the last), and reads the current
// epoch's columns while reveals come in (the agent records them only when it commits).
import type { Metric } from '../../../lib/ml/spec/types.ts';
import type { Hex } from 'viem';
import { ValidatorAgent, type ValidatorCommand, type ValidatorState } from '../../../lib/agents/index.ts';
import { windowAt } from '../../../lib/chain/schedule.ts';
import { openRolePorts, type RolePorts } from '../train/role-ports.ts';
import { messageOf, openFailure, type SessionInput, type SessionStatus } from '../role/agent-session.ts';
import { runningAgents } from '../role/running-agents.svelte.ts';
import type { LiveColumns, StageInfo } from './validate-view.ts';
import { publishCheck } from '../challenges/transcript-checks.svelte.ts';

export class ValidatorSession {
  status = $state<SessionStatus>('opening');
  problem = $state<string | null>(null);
  state = $state.raw<ValidatorState | null>(null);
  /** The task's metric (from its spec), once the agent is open: scores are shown in its words. */
  metric = $state.raw<Metric | null>(null);
  /** The task's model predicts the next token of a sequence (its similarity probes are byte sequences). */
  tokenModel = $state(false);
  evaluating = $state<string | null>(null);
  stages = $state.raw<Record<string, StageInfo>>({});
  failures = $state.raw<Record<string, string[]>>({});
  live = $state.raw<LiveColumns>({});
  loopError = $state<string | null>(null);

  #agent: ValidatorAgent | null = null;
  #ports: RolePorts | null = null;
  #unsubscribe: (() => void) | null = null;
  #reading = false;
  readonly ready: Promise<void>;

  constructor(input: SessionInput) {
    this.ready = this.#open(input);
  }

  get agent(): ValidatorAgent | null {
    return this.#agent;
  }

  async #open(input: SessionInput): Promise<void> {
    try {
      const ports = await openRolePorts({ ...input, ctx: await input.ctx(), role: 'validator' });
      this.#ports = ports;
      const agent = await ValidatorAgent.open({ ...ports, ...(input.pollMs ? { pollMs: input.pollMs } : {}) });
      if (this.status === 'closed') {
        ports.close();
        return;
      }
      this.#agent = agent;
      this.metric = agent.taskSpec.spec.metric;
      this.tokenModel = agent.taskSpec.spec.output.tokens !== undefined;
      this.state = agent.state;
      // Replays the agent checked before this page opened (kept in its state) show on the Challenges page too.
      for (const p of Object.values(agent.state.learning?.checks ?? {})) publishCheck(p);
      this.#unsubscribe = agent.subscribe((e) => {
        switch (e.type) {
          case 'state':
            this.#noteFailures(this.state, e.state);
            this.state = e.state;
            this.evaluating = agent.evaluatingKey;
            this.loopError = null;
            void this.#readColumns();
            break;
          case 'eval-progress':
            this.stages = { ...this.stages, [e.key]: { stage: e.stage, done: e.done, total: e.total } };
            this.evaluating = agent.evaluatingKey;
            break;
          case 'transcript-check':
            publishCheck(e.progress);
            break;
          case 'error':
            this.loopError = messageOf(e.error);
            break;
          case 'note':
            break;
        }
      });
      await agent.start();
      this.status = 'ready';
      runningAgents.set({ role: 'validator', taskId: input.taskId });
    } catch (e) {
      this.#ports?.close();
      ({ status: this.status, problem: this.problem } = openFailure(e));
    }
  }

  /** A new failed attempt shows as a new lastError or a higher count: remember its message. */
  #noteFailures(before: ValidatorState | null, after: ValidatorState): void {
    let changed = false;
    const next = { ...this.failures };
    for (const [key, a] of Object.entries(after.attempts)) {
      const prev = before?.attempts[key];
      if (!prev || prev.count !== a.count) {
        next[key] = [...(next[key] ?? []), a.lastError];
        changed = true;
      }
    }
    for (const [key, ev] of Object.entries(after.evaluations)) {
      // The last attempt's message moves into the evaluation's reason when the agent gives up.
      const prev = before?.attempts[key];
      if (prev && !before?.evaluations[key] && ev.check === 'missing' && ev.reason) {
        const last = /\(last: (.*)\)$/.exec(ev.reason)?.[1];
        if (last && next[key]?.at(-1) !== last) {
          next[key] = [...(next[key] ?? []), last];
          changed = true;
        }
      }
    }
    if (changed) this.failures = next;
  }

  /** The current epoch's columns while reveals come in and scores are committed. */
  async #readColumns(): Promise<void> {
    const agent = this.#agent;
    const ports = this.#ports;
    if (!agent || !ports || this.#reading) return;
    const task = agent.taskInfo;
    this.#reading = true;
    try {
      const now = await ports.chain.now();
      const { window, epoch } = windowAt(task.schedule, now);
      if (window !== 'Reveal' && window !== 'ScoreCommit' && window !== 'ScoreReveal') return;
      if (epoch >= task.schedule.submissionEpochs) return;
      const columns = await ports.chain.columns(epoch);
      const prev = this.live[epoch];
      if (prev && prev.columns.length === columns.length) return;
      const dataHash: Hex = task.evalData;
      this.live = { ...this.live, [epoch]: { columns, dataHash } };
    } catch {
      // Shown again at the next state; the agent reports lasting chain problems itself.
    } finally {
      this.#reading = false;
    }
  }

  async command(cmd: ValidatorCommand): Promise<void> {
    const agent = this.#agent;
    if (!agent) throw new Error('the validator agent is not running');
    this.state = await agent.command(cmd);
    void agent.tick().catch((e: unknown) => (this.loopError = messageOf(e)));
  }

  close(): void {
    if (this.status === 'ready') runningAgents.remove('validator');
    this.status = 'closed';
    this.#unsubscribe?.();
    this.#agent?.stop();
    this.#ports?.close();
  }
}
