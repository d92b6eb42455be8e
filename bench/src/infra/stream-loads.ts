/** Where the command service found the streams it loaded (its command_service_stream_loads_total). */
export interface StreamLoads {
  readonly cache: number;
  readonly tail: number;
  readonly store: number;
}

const LINE =
  /^command_service_stream_loads_total\{[^}]*source="(cache|tail|store)"[^}]*\} (\S+)$/gm;

/** The counter summed over the command service's instances. */
export async function readStreamLoads(metricsUrls: readonly string[]): Promise<StreamLoads> {
  const loads = { cache: 0, tail: 0, store: 0 };
  for (const url of metricsUrls) {
    const text = await (await fetch(url)).text();
    for (const [, source, value] of text.matchAll(LINE)) {
      loads[source as keyof StreamLoads] += Number(value);
    }
  }
  return loads;
}

/** Loads per command between two readings, as a report note. */
export function describeStreamLoads(
  before: StreamLoads,
  after: StreamLoads,
  commands: number,
): string {
  const per = (source: keyof StreamLoads) =>
    ((after[source] - before[source]) / commands).toFixed(2);
  return `stream loads per command: ${per('cache')} from the cache, ${per('tail')} tails read, ${per('store')} whole streams read (not cached)`;
}
