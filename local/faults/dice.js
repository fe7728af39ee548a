// Seeded fault dice, one independent stream per fault kind, so a run with the same spec and seed injects the same
// faults in the same order of eligible calls. Plain CommonJS: the DynamoDB worker thread (no tsx loader) rolls its
// own dice with it, and the main thread imports it through dice.d.ts.

/** FNV-1a over "seed:kind": distinct, stable 32-bit seeds per kind. */
function streamSeed(seed, kind) {
  let hash = 0x811c9dc5;
  for (const char of `${seed}:${kind}`) {
    hash ^= char.codePointAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** mulberry32: small, fast and good enough to decide "does this call fail". */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** rates: {kind: share 0..1}. roll(kind) is true for that share of calls; kinds without a rate never roll true. */
function createFaultDice(rates, seed) {
  const streams = new Map();
  return {
    roll(kind) {
      const rate = rates[kind];
      if (!rate) return false;
      let next = streams.get(kind);
      if (!next) {
        next = mulberry32(streamSeed(seed, kind));
        streams.set(kind, next);
      }
      return next() < rate;
    },
  };
}

module.exports = { createFaultDice };
