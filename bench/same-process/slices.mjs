// The slice schedule every same-process subject follows: `slices` pairs, one
// slice of each library per pair, the order flipped from pair to pair so that
// neither always goes first; the first quarter of the pairs is warm-up.

export const LIBS = ['ws', 'socketeer'];

/**
 * Runs `measure(lib)` (one slice, resolving with its figure) in alternating
 * order and returns the figures after warm-up: { ws: [...], socketeer: [...] },
 * the nth of each list from the same pair.
 */
export async function alternate(slices, measure) {
  const figures = { ws: [], socketeer: [] };
  const warmup = Math.floor(slices / 4);
  for (let pair = 0; pair < slices; pair++) {
    for (const lib of pair % 2 ? [...LIBS].reverse() : LIBS) {
      const figure = await measure(lib);
      if (pair >= warmup) figures[lib].push(figure);
    }
  }
  return figures;
}
