import { describe, expect, it } from 'vitest';
import { gmailClipBytes, linksIn, nearClipBytes, sizeOf } from '../../local/preview/inspect.ts';

describe('linksIn', () => {
  it('lists every link in order with its visible text and decoded address', () => {
    // Prepare
    const html = `<p><a href="https://a.example/x?b=1&amp;c=2" style="x">Read <b>the</b>
      story</a> and <a class='k' href='https://b.example/'>more &amp; less</a> <a name="top">no link</a></p>`;

    // Act
    const links = linksIn(html);

    // Assess
    expect(links).toEqual([
      { href: 'https://a.example/x?b=1&c=2', text: 'Read the story' },
      { href: 'https://b.example/', text: 'more & less' },
    ]);
  });

  it("names an image link by the image's alt text", () => {
    expect(linksIn('<a href="https://a.example/"><img src="x.jpg" alt="A comet &#39;overhead&#39;"></a>')).toEqual([
      { href: 'https://a.example/', text: "[image: A comet 'overhead']" },
    ]);
  });
});

describe('sizeOf', () => {
  it('counts UTF-8 bytes and warns near and past the Gmail clip', () => {
    expect(sizeOf('é')).toEqual({ bytes: 2, level: 'ok' });
    expect(sizeOf('x'.repeat(nearClipBytes - 1)).level).toBe('ok');
    expect(sizeOf('x'.repeat(nearClipBytes)).level).toBe('near');
    expect(sizeOf('x'.repeat(gmailClipBytes)).level).toBe('clipped');
  });
});
