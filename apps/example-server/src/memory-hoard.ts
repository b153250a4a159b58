/** Memory the server keeps on purpose, for tests and demos of a supervisor's memory limit. */
export interface MemoryHoard {
  /** Allocates `mb` MiB more, writes to every page of it (so it is resident, not just reserved) and keeps it. */
  grow(mb: number): void;
  readonly retainedBytes: number;
}

const MIB = 1024 * 1024;
/** A byte other than 0, so that the kernel cannot map the pages to its shared zero page. */
const FILL_BYTE = 0xa5;

export function createMemoryHoard(): MemoryHoard {
  const chunks: Buffer[] = [];
  return {
    grow(mb) {
      // Buffer.alloc() may get lazily mapped zero pages from calloc: RSS would not grow until
      // they are written. An unpooled uninitialised buffer filled by hand is resident at once.
      for (let i = 0; i < mb; i++) chunks.push(Buffer.allocUnsafeSlow(MIB).fill(FILL_BYTE));
    },
    get retainedBytes() {
      return chunks.length * MIB;
    },
  };
}
