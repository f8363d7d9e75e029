import { BriefingError } from '../errors.ts';

export interface FetchSettings {
  /** For the whole fetch: every redirect and the body. @default 10 000 ms */
  readonly timeoutMs: number;
  /** Reading stops beyond this many bytes (after decompression). @default 5 MB */
  readonly maxBytes: number;
  /** @default 5 */
  readonly maxRedirects: number;
  readonly userAgent: string;
}

export const defaultFetchSettings: FetchSettings = {
  timeoutMs: 10_000,
  maxBytes: 5 * 1024 * 1024,
  maxRedirects: 5,
  userAgent: 'Briefing/0.1 (newsletter feed poller)',
};

/** What a server said about the version it sent, for the next conditional GET. */
export interface Validators {
  readonly etag?: string;
  readonly lastModified?: string;
}

export type FetchedFeed =
  | { readonly status: 'not-modified'; readonly validators: Validators }
  | { readonly status: 'fetched'; readonly text: string; /** After redirects: the base for relative links. */ readonly url: string; readonly validators: Validators };

/** The feed could not be fetched: the message says why, in one line. */
export class FeedFetchError extends BriefingError {
  override name = 'FeedFetchError';
}

const accept = 'application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5';
const redirects = new Set([301, 302, 303, 307, 308]);

const megabytes = (bytes: number): string => `${Number((bytes / 1024 / 1024).toFixed(2))} MB`;

/** The body's bytes, refusing (and no longer reading) anything beyond `maxBytes`. */
const readLimited = async (response: Response, maxBytes: number): Promise<Uint8Array> => {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new FeedFetchError(`the feed is larger than ${megabytes(maxBytes)} (Content-Length ${declared})`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body?.getReader();
  while (reader) {
    const chunk = await reader.read();
    if (chunk.done) break;
    size += chunk.value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new FeedFetchError(`the feed is larger than ${megabytes(maxBytes)}; stopped reading`);
    }
    chunks.push(chunk.value);
  }
  return Buffer.concat(chunks);
};

/**
 * The text of the body, in the charset the Content-Type names, else the one the XML declaration
 * names (the XML spec's own sniffing, on the ASCII bytes of the first line), else UTF-8.
 */
const decode = (bytes: Uint8Array, contentType: string | null): string => {
  const declared = /charset="?([\w.:-]+)/i.exec(contentType ?? '')?.[1] ?? /^(?:\uFEFF)?<\?xml[^>]*encoding=["']([\w.:-]+)["']/.exec(Buffer.from(bytes.subarray(0, 200)).toString('latin1'))?.[1];
  try {
    return new TextDecoder(declared ?? 'utf-8').decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
};

const validatorsOf = (response: Response, previous: Validators | undefined): Validators => ({
  etag: response.headers.get('etag') ?? previous?.etag,
  lastModified: response.headers.get('last-modified') ?? previous?.lastModified,
});

const describeFailure = (error: unknown, settings: FetchSettings): string => {
  if ((error as Error).name === 'TimeoutError' || (error as Error).name === 'AbortError') return `no complete answer within ${settings.timeoutMs / 1000} s`;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return `could not be reached: ${cause?.code ?? cause?.message ?? (error as Error).message}`;
};

/**
 * A feed, fetched politely: a conditional GET with the previous poll's validators, a User-Agent that
 * names Briefing, redirects followed by hand (at most `maxRedirects`, http(s) only, never from
 * https down to http), one time limit for everything and a size limit on the body.
 */
export const fetchFeed = async (url: string, previous: Validators | undefined, settings: FetchSettings = defaultFetchSettings): Promise<FetchedFeed> => {
  const signal = AbortSignal.timeout(settings.timeoutMs);
  const headers: Record<string, string> = { 'user-agent': settings.userAgent, accept };
  if (previous?.etag) headers['if-none-match'] = previous.etag;
  if (previous?.lastModified) headers['if-modified-since'] = previous.lastModified;
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) throw new FeedFetchError(`${url} is not an http:// or https:// URL`);
  let current = new URL(url);
  try {
    for (let hops = 0; ; hops += 1) {
      const response = await fetch(current, { headers, redirect: 'manual', signal });
      if (redirects.has(response.status)) {
        await response.body?.cancel();
        const location = response.headers.get('location');
        if (!location) throw new FeedFetchError(`HTTP ${response.status} redirect without a Location`);
        if (hops === settings.maxRedirects) throw new FeedFetchError(`more than ${settings.maxRedirects} redirects (the last to ${new URL(location, current).href})`);
        const next = new URL(location, current);
        if (next.protocol !== 'https:' && next.protocol !== 'http:') throw new FeedFetchError(`redirected to ${next.href}: only http(s) is followed`);
        if (current.protocol === 'https:' && next.protocol === 'http:') throw new FeedFetchError(`redirected from https to plain http (${next.href}): not followed`);
        current = next;
        continue;
      }
      if (response.status === 304) {
        await response.body?.cancel();
        return { status: 'not-modified', validators: validatorsOf(response, previous) };
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw new FeedFetchError(`HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
      }
      const text = decode(await readLimited(response, settings.maxBytes), response.headers.get('content-type'));
      return { status: 'fetched', text, url: current.href, validators: validatorsOf(response, undefined) };
    }
  } catch (error) {
    if (error instanceof FeedFetchError) throw error;
    throw new FeedFetchError(describeFailure(error, settings), { cause: error });
  }
};
