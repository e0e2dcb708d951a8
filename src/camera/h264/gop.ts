/** The pictures since the last keyframe are kept for joining viewers; a runaway GOP is not. */
const GOP_MAX_BYTES = 8 * 1024 * 1024;

/**
 * The group of pictures since the last keyframe: what a viewer who joins needs to start decoding
 * at once instead of waiting for the next keyframe. A GOP that outgrows its bound is given up
 * until the next keyframe.
 */
export class Gop<T extends { readonly keyframe: boolean; readonly data: Buffer }> {
  private list: T[] = [];
  private bytes = 0;

  get units(): readonly T[] {
    return this.list;
  }

  add(unit: T): void {
    if (unit.keyframe) {
      this.list = [unit];
      this.bytes = unit.data.length;
    } else if (this.list.length > 0 && this.bytes + unit.data.length <= GOP_MAX_BYTES) {
      this.list.push(unit);
      this.bytes += unit.data.length;
    } else {
      this.clear();
    }
  }

  clear(): void {
    this.list = [];
    this.bytes = 0;
  }
}
