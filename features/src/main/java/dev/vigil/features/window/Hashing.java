package dev.vigil.features.window;

/** Stable 64-bit hashes of identifiers, so that profiles hold no raw ids of other entities. */
public final class Hashing {
  private Hashing() {}

  /** FNV-1a over the UTF-16 code units, finished with a SplitMix64 mix; 0 for an empty id. */
  public static long of(String id) {
    if (id == null || id.isEmpty()) {
      return 0;
    }
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < id.length(); i++) {
      h ^= id.charAt(i);
      h *= 0x100000001b3L;
    }
    h ^= h >>> 30;
    h *= 0xbf58476d1ce4e5b9L;
    h ^= h >>> 27;
    h *= 0x94d049bb133111ebL;
    h ^= h >>> 31;
    return h == 0 ? 1 : h;
  }
}
