import type { BriefingConfig } from '../config/config.ts';
import { createTemplateEngine, type TemplateEngine } from '../render/engine.ts';

/** The name of the signup form's trap field: people never see it, form-filling bots fill it in. */
export const honeypotField = 'website';

export interface PageLink {
  readonly href: string;
  readonly label: string;
}

/** One topic as a checkbox: the sign-up and preference pages list every topic the newsletter offers. */
export interface TopicChoice {
  readonly id: string;
  readonly label: string;
  readonly checked: boolean;
}

/** What each page template shows, besides the newsletter itself. */
export interface PageViews {
  readonly signup: { readonly email: string; readonly error: string | null; readonly topics: readonly TopicChoice[] };
  readonly confirm: { readonly token: string };
  readonly unsubscribe: { readonly token: string };
  readonly preferences: {
    readonly token: string;
    readonly email: string;
    readonly topics: readonly TopicChoice[];
    /** What the reader just did, said at the top (a status message); null on arrival. */
    readonly notice: string | null;
    /** Where the subscription stands when it is not active ("You are unsubscribed…"); null when it is. */
    readonly standing: string | null;
    /** A token for the page's unsubscribe form, while there is a subscription to leave. */
    readonly unsubscribeToken: string | null;
    readonly problem: string | null;
  };
  /** The last step before deleting a reader's data. */
  readonly erase: { readonly token: string; readonly email: string };
  readonly result: { readonly heading: string; readonly paragraphs: readonly string[]; readonly link: PageLink | null };
  readonly error: { readonly heading: string; readonly message: string };
}

export type PageName = keyof PageViews;

export const pageNames: readonly PageName[] = ['signup', 'confirm', 'unsubscribe', 'preferences', 'erase', 'result', 'error'];

const titleOf = <N extends PageName>(name: N, view: PageViews[N]): string => {
  switch (name) {
    case 'signup':
      return 'Subscribe';
    case 'confirm':
      return 'Confirm your subscription';
    case 'unsubscribe':
      return 'Unsubscribe';
    case 'preferences':
      return 'Your preferences';
    case 'erase':
      return 'Delete your data';
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
