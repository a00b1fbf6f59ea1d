// Explore's list: filter by words and phase, sort by what the person picks.
import { describe, expect, it } from 'vitest';
import {
  exploreList,
  matches,
  unnamed,
  type ExploreRowLike,
  type TaskLabel,
} from '../../../src/lib/app-logic/explore-view.ts';

const E = 10n ** 18n;
const row = (id: bigint, phase: string, deposit: bigint, trainers: number, rewards: bigint): ExploreRowLike => ({
  task: { id, phase, deposit: deposit * E, trainers: Array.from({ length: trainers }) },
  activity: { trainerRewards: { total: rewards * E }, validatorRewards: { total: 0n } },
});
const rows = [row(1n, 'Ended', 500n, 3, 900n), row(2n, 'Submission', 4_000n, 1, 10n), row(3n, 'Review', 1_000n, 0, 0n)];
const labels: Record<string, TaskLabel> = {
  '1': {
    title: 'Digits MLP',
    description: 'Handwritten digits, small MLP',
    model: 'digits-mlp',
    dataset: 'digits-train',
  },
  '2': { title: 'Sentiment', description: 'Movie reviews', model: 'tiny-transformer', dataset: 'imdb-small' },
};
const labelOf = (id: bigint) => labels[String(id)] ?? unnamed(id);
const ids = (list: ExploreRowLike[]) => list.map((r) => Number(r.task.id));

describe('explore list', () => {
  it('finds tasks by every typed word in name, description, model or data set', () => {
    expect(ids(exploreList(rows, labelOf, { query: 'digits', phase: 'all', sort: 'newest' }))).toEqual([1]);
    expect(ids(exploreList(rows, labelOf, { query: 'MOVIE transformer', phase: 'all', sort: 'newest' }))).toEqual([2]);
    expect(ids(exploreList(rows, labelOf, { query: 'task #3', phase: 'all', sort: 'newest' }))).toEqual([3]);
    expect(ids(exploreList(rows, labelOf, { query: 'nothing-like-this', phase: 'all', sort: 'newest' }))).toEqual([]);
    expect(matches(rows[0]!, labelOf(1n), '   ', 'all')).toBe(true);
  });

  it('filters by phase', () => {
    expect(ids(exploreList(rows, labelOf, { query: '', phase: 'open', sort: 'newest' }))).toEqual([3, 2]);
    expect(ids(exploreList(rows, labelOf, { query: '', phase: 'ended', sort: 'newest' }))).toEqual([1]);
  });

  it('sorts by age, name, pool, trainers or rewards', () => {
    const sorted = (sort: Parameters<typeof exploreList>[2]['sort']) =>
      ids(exploreList(rows, labelOf, { query: '', phase: 'all', sort }));
    expect(sorted('newest')).toEqual([3, 2, 1]);
    expect(sorted('oldest')).toEqual([1, 2, 3]);
    expect(sorted('name')).toEqual([1, 2, 3]);
    expect(sorted('pool')).toEqual([2, 3, 1]);
    expect(sorted('trainers')).toEqual([1, 2, 3]);
    expect(sorted('rewards')).toEqual([1, 2, 3]);
  });
});
