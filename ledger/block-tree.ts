// The Merkle tree fsck rebuilt, held as the blocks the verifiers returned (every perfect subtree inside each
// block) plus a small tree over the full blocks' roots, so roots at any checkpoint size cost O(log n).
import { MusterError } from '../core/errors.ts';
import { MemoryTree, type TreeSource } from './merkle.ts';
import { type BlockPlan, levelOffsets } from './verify-block.ts';

export class BlockTree implements TreeSource {
  private readonly upper: MemoryTree;
  private readonly offsets: number[][];

  constructor(
    private readonly plan: BlockPlan,
    private readonly blocks: readonly Uint8Array[],
  ) {
    const width = 2 ** plan.blockLevel;
    this.offsets = blocks.map((_, b) => levelOffsets(Math.min(width, plan.size - b * width), plan.blockLevel));
    const fullBlocks = Math.floor(plan.size / width);
    this.upper = new MemoryTree(Array.from({ length: fullBlocks }, (_, b) => this.perfect(plan.blockLevel, b)));
  }

  leaf(index: number): Uint8Array {
    return this.perfect(0, index);
  }

  perfect(level: number, index: number): Uint8Array {
    const { blockLevel } = this.plan;
    if (level > blockLevel) return this.upper.perfect(level - blockLevel, index);
    const perBlock = 2 ** (blockLevel - level);
    const block = Math.floor(index / perBlock);
    const levels = this.blocks[block];
    const offsets = this.offsets[block];
    const local = index - block * perBlock;
    if (
      !levels ||
      !offsets ||
      local < 0 ||
      offsets[level] === undefined ||
      offsets[level] + 32 * local + 32 > (offsets[level + 1] as number)
    ) {
      throw new MusterError('bad-proof-request', `no subtree at level ${level} index ${index}`);
    }
    const at = offsets[level] + 32 * local;
    return levels.subarray(at, at + 32);
  }
}
