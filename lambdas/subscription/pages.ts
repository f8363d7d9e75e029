import type { BriefingConfig } from '../config/config.ts';
import { createTemplateEngine, type TemplateEngine } from '../render/engine.ts';

/** The name of the signup form's trap field: people never see it, form-filling bots fill it in. */
export const honeypotField = 'website';

export interface PageLink {
  readonly href: string;
  readonly label: string;
}

/** What each page template shows, besides the newsletter itself. */
export interface PageViews {
  readonly signup: { readonly email: string; readonly error: string | null };
  readonly confirm: { readonly token: string };
  readonly unsubscribe: { readonly token: string };
  readonly result: { readonly heading: string; readonly paragraphs: readonly string[]; readonly link: PageLink | null };
  readonly error: { readonly heading: string; readonly message: string };
}

export type PageName = keyof PageViews;

export const pageNames: readonly PageName[] = ['signup', 'confirm', 'unsubscribe', 'result', 'error'];

const titleOf = <N extends PageName>(name: N, view: PageViews[N]): string => {
  switch (name) {
    case 'signup':
      return 'Subscribe';
    case 'confirm':
      return 'Confirm your subscription';
    case 'unsubscribe':
      return 'Unsubscribe';
    default:
      return (view as PageViews['result' | 'error']).heading;
  }
};

let sharedEngine: TemplateEngine | undefined;

/**
 * One page as HTML: `templates/pages/<name>.liquid` inside the shared layout, every value escaped.
 * Only the signup page is for search engines; the others carry a token or a one-off answer.
 */
export const renderPage = <N extends PageName>(
  name: N,
  view: PageViews[N],
  config: BriefingConfig,
  engine: TemplateEngine = (sharedEngine ??= createTemplateEngine()),
): Promise<string> =>
  engine.renderHtml(`pages/${name}.liquid`, {
    ...view,
    honeypot: honeypotField,
    title: titleOf(name, view),
    noindex: name !== 'signup',
    newsletter: {
      name: config.newsletterName,
      description: config.description,
      language: config.language,
      postalAddress: config.postalAddress,
    },
  });
