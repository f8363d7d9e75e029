import { previewRecipient } from '../../../lambdas/render/preview-recipient.ts';
import { confirmationTemplates, renderConfirmationEmail } from '../../../lambdas/subscription/confirmation-email.ts';
import type { BriefingConfig } from '../../../lambdas/config/config.ts';
import { type PageName, pageNames, type PageViews, renderPage } from '../../../lambdas/subscription/pages.ts';
import type { PreviewTemplate } from '../template.ts';

// A token the confirm and unsubscribe routes would refuse: the preview shows links, it does not sign them.
const previewToken = 'preview-token';

/** Sample data for each page. */
export const pagePreviews = (config: BriefingConfig): { readonly [N in PageName]: PageViews[N] } => ({
  signup: { email: '', error: null, topics: config.topics.map((topic) => ({ id: topic.id, label: topic.label, checked: false })) },
  confirm: { token: previewToken },
  unsubscribe: { token: previewToken },
  preferences: {
    token: previewToken,
    email: 'reader@example.com',
    topics: config.topics.map((topic, index) => ({ id: topic.id, label: topic.label, checked: index < 2 })),
    notice: `Saved: you get stories about ${config.topics.slice(0, 2).map((topic) => topic.label).join(', ')}.`,
    standing: null,
    unsubscribeToken: previewToken,
    problem: null,
  },
  erase: { token: previewToken, email: 'reader@example.com' },
  result: {
    heading: 'Check your inbox',
    paragraphs: [`If reader@example.com still needs to confirm, a link to confirm your subscription to ${config.newsletterName} is on its way.`],
    link: null,
  },
  error: { heading: 'This link does not work', message: 'This link is not valid: it was changed or not made by us.' },
});

export const confirmationPreview: PreviewTemplate = {
  name: 'confirmation',
  label: 'Confirmation email',
  kind: 'email',
  files: [confirmationTemplates.html, confirmationTemplates.text, 'partials/head.mjml'],
  usesArticles: false,
  async render({ config, engine, date }) {
    const recipient = previewRecipient(config, date);
    const email = await renderConfirmationEmail(config, { email: recipient.email, confirmUrl: `${config.siteUrl}/confirm?token=${previewToken}` }, engine);
    return { ...email, unsubscribeUrl: recipient.unsubscribeUrl };
  },
};

const pageLabels: Readonly<Record<PageName, string>> = {
  signup: 'Signup page',
  confirm: 'Confirm page',
  unsubscribe: 'Unsubscribe page',
  preferences: 'Preference page (topics, data)',
  erase: 'Delete-your-data page',
  result: 'Result page (after a form)',
  error: 'Error page (a bad link)',
};

const pagePreview = <N extends PageName>(name: N): PreviewTemplate => ({
  name: `page-${name}`,
  label: pageLabels[name],
  kind: 'page',
  files: [`pages/${name}.liquid`, 'pages/layout.liquid', 'pages/topic-choices.liquid'],
  usesArticles: false,
  // The sample view each page ships with, rendered as the subscription API renders it.
  render: async ({ config, engine }) => ({ html: await renderPage(name, pagePreviews(config)[name], config, engine) }),
});

export const pagePreviewTemplates: readonly PreviewTemplate[] = pageNames.map(pagePreview);
