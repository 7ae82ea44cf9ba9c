import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AddCommentDocument,
  CreateRecipeDocument,
  DeleteCommentDocument,
  DeleteRecipeDocument,
  UpdateRecipeDocument,
  isGraphQLRequestError,
  type GraphQLClient,
} from '@potluck/client';
import type { SeededRandom } from './seededRandom.js';

const OPERATIONS = ['createRecipe', 'updateRecipe', 'deleteRecipe', 'addComment', 'deleteComment'] as const;
export type Operation = (typeof OPERATIONS)[number];

/** Relative weights: mostly comments on live recipes, some churn of recipes. */
const WEIGHTS: Record<Operation, number> = {
  createRecipe: 20,
  updateRecipe: 20,
  deleteRecipe: 7,
  addComment: 38,
  deleteComment: 15,
};

export interface MutationTally {
  ok: Record<Operation, number>;
  /** Expected races: a recipe deleted (or not yet known to comments) while a mutation on it was on its way. */
  notFound: Record<Operation, number>;
  /**
   * addComment answered `data: null` because the recipe was deleted between the comment's
   * insert and the gateway's fetch of `recipe { title }` (federation moves that error to
   * `extensions.valueCompletion`). Counted only when this driver had deleted that recipe.
   */
  recipeVanished: number;
  /** Failures while a service was restarting: the gateway could not reach it. */
  unavailable: number;
  /** Anything else: each one fails the run. */
  unexpected: string[];
  /** Successful mutations that started and ended while a broker link was cut. */
  okDuringCuts: number;
}

export interface DriverTimeline {
  /** Whether a service restart overlapped [from, to] (its failures are expected). */
  restartOverlaps(from: number, to: number): boolean;
  /** Whether a broker link was cut for the whole of [from, to]. */
  cutCovers(from: number, to: number): boolean;
}

const zeros = () => Object.fromEntries(OPERATIONS.map((name) => [name, 0])) as Record<Operation, number>;

/**
 * Random mutations through the gateway on both services, from several concurrent
 * workers sharing what they know is alive. Each worker draws from its own seeded
 * stream, so a seed replays the same choices (timing, and so races, still vary).
 */
export class MutationDriver {
  readonly tally: MutationTally = {
    ok: zeros(),
    notFound: zeros(),
    recipeVanished: 0,
    unavailable: 0,
    unexpected: [],
    okDuringCuts: 0,
  };
  private readonly recipes: string[] = [];
  private readonly comments: Array<{ id: string; recipeId: string }> = [];

  constructor(
    private readonly client: GraphQLClient,
    private readonly timeline: DriverTimeline,
  ) {}

  /** Runs one worker until `deadline` (epoch ms); bounded by the deadline, never by outcomes. */
  async work(random: SeededRandom, deadline: number): Promise<void> {
    while (Date.now() < deadline) {
      const operation = this.choose(random);
      // Empty only when choose() picked createRecipe, which needs no recipe.
      const recipeId = random.pick(this.recipes) ?? '';
      const started = Date.now();
      try {
        await this.perform(operation, recipeId, random);
        this.tally.ok[operation] += 1;
        if (this.timeline.cutCovers(started, Date.now())) this.tally.okDuringCuts += 1;
      } catch (error) {
        // While a service restarts the gateway fails fast: pace the retries instead of spinning.
        if (this.record(operation, recipeId, error, started) === 'unavailable') await sleep(100);
      }
    }
  }

  private choose(random: SeededRandom): Operation {
    if (this.recipes.length < 3) return 'createRecipe';
    let roll = random.next() * OPERATIONS.reduce((sum, name) => sum + WEIGHTS[name], 0);
    for (const name of OPERATIONS) {
      roll -= WEIGHTS[name];
      if (roll < 0) return name;
    }
    return 'createRecipe';
  }

  private async perform(operation: Operation, recipeId: string, random: SeededRandom): Promise<void> {
    switch (operation) {
      case 'createRecipe': {
        const title = `run ${randomUUID().slice(0, 8)}`;
        const input = { title, timeMinutes: random.int(1, 240), price: String(random.int(1, 50)) };
        this.recipes.push((await this.client.request(CreateRecipeDocument, { input })).createRecipe.id);
        return;
      }
      case 'updateRecipe':
        await this.client.request(UpdateRecipeDocument, { id: recipeId, input: { timeMinutes: random.int(1, 240) } });
        return;
      case 'deleteRecipe':
        remove(this.recipes, recipeId);
        await this.client.request(DeleteRecipeDocument, { id: recipeId });
        return;
      case 'addComment': {
        const input = { recipeId, text: `comment ${random.int(1, 1e6)}` };
        const { addComment } = await this.client.request(AddCommentDocument, { input });
        this.comments.push({ id: addComment.id, recipeId });
        return;
      }
      case 'deleteComment': {
        const comment = random.pick(this.comments);
        if (!comment) return;
        this.comments.splice(this.comments.indexOf(comment), 1);
        await this.client.request(DeleteCommentDocument, { id: comment.id });
        return;
      }
    }
  }

  private record(operation: Operation, recipeId: string, error: unknown, started: number) {
    const code = isGraphQLRequestError(error) ? error.errors[0]?.extensions?.code : undefined;
    if (code === 'NOT_FOUND') {
      this.tally.notFound[operation] += 1;
      return 'notFound';
    }
    const vanished = String((error as Error).message).includes('non-nullable field Recipe.');
    if (operation === 'addComment' && vanished && !this.recipes.includes(recipeId)) {
      this.tally.recipeVanished += 1;
      return 'recipeVanished';
    }
    if (this.timeline.restartOverlaps(started, Date.now())) {
      this.tally.unavailable += 1;
      return 'unavailable';
    }
    this.tally.unexpected.push(`${operation}: ${(error as Error).message} (${String(code)})`);
    return 'unexpected';
  }
}

function remove<T>(items: T[], item: T): void {
  const index = items.indexOf(item);
  if (index >= 0) items.splice(index, 1);
}
