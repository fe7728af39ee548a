/**
 * Metric series identity as CloudWatch has it: namespace, metric name and the complete dimension set. A series with
 * an extra or a missing dimension is another metric, which is why an alarm with a misspelled dimension sees nothing.
 */

export interface SeriesId {
  namespace: string;
  metric: string;
  dimensions: Readonly<Record<string, string>>;
}

/** A canonical text key: dimensions sorted by name, so equal sets give equal keys whatever their order. */
export function seriesKey(namespace: string, metric: string, dimensions: Readonly<Record<string, string>>): string {
  const names = Object.keys(dimensions).sort();
  let dims = "";
  for (const name of names) dims += `${dims === "" ? "" : ","}${name}=${dimensions[name]}`;
  return `${namespace}|${metric}|${dims}`;
}

/** How a series reads in a message: `AWS/SQS ApproximateNumberOfMessagesVisible {QueueName=vehicles-dlq}`. */
export function describeSeries(id: SeriesId): string {
  const dims = Object.keys(id.dimensions)
    .sort()
    .map((name) => `${name}=${id.dimensions[name]}`)
    .join(", ");
  return `${id.namespace} ${id.metric} {${dims}}`;
}

/**
 * The series closest to `target`, nearest first, at most `limit`. Distance counts characters inserted or deleted
 * between canonical keys (no substitutions), so a typo in a metric or dimension name costs a character or two and a
 * name missing Pulumi's random suffix ("vehicles-dlq" for "vehicles-dlq-96e9fec") stays nearer its own series than
 * another resource's name of similar length.
 */
export function nearestSeries(target: SeriesId, candidates: readonly SeriesId[], limit = 3): SeriesId[] {
  const key = seriesKey(target.namespace, target.metric, target.dimensions);
  return candidates
    .map((id) => ({ id, distance: indelDistance(key, seriesKey(id.namespace, id.metric, id.dimensions)) }))
    .sort((a, b) => a.distance - b.distance || describeSeries(a.id).localeCompare(describeSeries(b.id)))
    .slice(0, limit)
    .map((c) => c.id);
}

/** Insertions plus deletions turning a into b: their lengths minus twice their longest common subsequence. */
function indelDistance(a: string, b: string): number {
  let previous = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    const current = [0];
    for (let j = 1; j <= b.length; j++)
      current.push(a[i - 1] === b[j - 1] ? previous[j - 1]! + 1 : Math.max(previous[j]!, current[j - 1]!));
    previous = current;
  }
  return a.length + b.length - 2 * previous[b.length]!;
}
