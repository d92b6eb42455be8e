import { createHash } from 'node:crypto';

export interface CachedResponse {
  readonly body: unknown;
  readonly etag: string;
}

export interface CacheEntry extends CachedResponse {
  readonly tags: readonly string[];
  /** The shared cache versions of the tags when it was filled ('' without shared state). */
  readonly stamp: string;
}

interface Entry extends CacheEntry {
  readonly expiresAt: number;
}

/**
 * Short-lived GET answers per principal, tagged with the accounts (and transfers, owners) they
 * show. A command invalidates every entry of the accounts it touched, whoever cached them: a
 * customer reads their balance right after a teller's deposit. In memory, per gateway; with
 * several gateways, the shared versions (shared-versions.ts) keep another gateway's command
 * from leaving an entry here served.
 */
export class ResponseCache {
  private readonly entries = new Map<string, Entry>();
  private readonly keysByTag = new Map<string, Set<string>>();

  constructor(
    private readonly options: { ttlMs: number; maxEntries: number; now?: () => number },
  ) {}

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  get(key: string): CacheEntry | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.delete(key);
      return undefined;
    }
    return { body: entry.body, etag: entry.etag, tags: entry.tags, stamp: entry.stamp };
  }

  /** Stores an answer (unless `stamp` is undefined: then it is only given its ETag). */
  set(
    key: string,
    body: unknown,
    tags: readonly string[],
    stamp: string | undefined = '',
  ): CachedResponse {
    const response = { body, etag: etagOf(body) };
    if (this.options.ttlMs <= 0 || stamp === undefined) return response;
    this.delete(key);
    while (this.entries.size >= this.options.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.delete(oldest.value);
    }
    this.entries.set(key, {
      ...response,
      expiresAt: this.now() + this.options.ttlMs,
      tags,
      stamp,
    });
    for (const tag of tags) {
      let keys = this.keysByTag.get(tag);
      if (!keys) this.keysByTag.set(tag, (keys = new Set()));
      keys.add(key);
    }
    return response;
  }

  /** Drops the entry at `key`. */
  drop(key: string): void {
    this.delete(key);
  }

  /** Drops every entry tagged with any of `tags`. */
  invalidate(tags: readonly string[]): void {
    for (const tag of tags) {
      const keys = this.keysByTag.get(tag);
      if (!keys) continue;
      for (const key of [...keys]) this.delete(key);
      this.keysByTag.delete(tag);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
    this.keysByTag.clear();
  }

  private delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    for (const tag of entry.tags) {
      const keys = this.keysByTag.get(tag);
      keys?.delete(key);
      if (keys?.size === 0) this.keysByTag.delete(tag);
    }
  }
}

/** A strong validator of the JSON body. */
export function etagOf(body: unknown): string {
  return `"${createHash('sha256').update(JSON.stringify(body)).digest('base64url').slice(0, 27)}"`;
}

/** If-None-Match matches `etag` (a list, weak validators and `*` included). */
export function ifNoneMatchMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header
    .split(',')
    .map((candidate) => candidate.trim().replace(/^W\//, ''))
    .includes(etag);
}

export const accountTag = (accountId: string): string => `account:${accountId}`;
export const ownerTag = (ownerId: string): string => `owner:${ownerId}`;
export const transferTag = (transferId: string): string => `transfer:${transferId}`;
