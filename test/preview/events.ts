/** A Server-Sent Events stream read with fetch, as the page's EventSource reads it. */
export interface EventStream {
  next(type: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  close(): void;
}

export const openEvents = async (url: string): Promise<EventStream> => {
  const controller = new AbortController();
  const response = await fetch(url, { signal: controller.signal });
  if (!response.ok || !response.headers.get('content-type')?.startsWith('text/event-stream')) throw new Error(`no event stream at ${url}`);
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const received: { type: string; data: Record<string, unknown> }[] = [];
  let wake: (() => void) | undefined;
  void (async () => {
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const field = (name: string) => block.split('\n').find((line) => line.startsWith(`${name}: `))?.slice(name.length + 2);
          const data = field('data');
          if (data !== undefined) received.push({ type: field('event') ?? 'message', data: JSON.parse(data) as Record<string, unknown> });
          wake?.();
        }
      }
    } catch {
      // Aborted by close().
    }
  })();

  return {
    async next(type, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const index = received.findIndex((event) => event.type === type);
        if (index >= 0) return received.splice(0, index + 1).at(-1)!.data;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no "${type}" event within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    },
    close: () => controller.abort(),
  };
};
