import type { PreviewTemplate } from './template.ts';
import { briefingPreview } from './templates/briefing.ts';
import { confirmationPreview, pagePreviewTemplates } from './templates/subscription.ts';

/** Every template the preview offers, in the order of the picker. */
export const previewTemplates: readonly PreviewTemplate[] = [briefingPreview, confirmationPreview, ...pagePreviewTemplates];

const names = (file: string, template: PreviewTemplate) => template.files.some((entry) => (entry.endsWith('/') ? file.startsWith(entry) : file === entry));

/** The templates a changed file under the templates folder can affect; a file no entry names may be used by any. */
export const templatesUsing = (file: string, templates: readonly PreviewTemplate[] = previewTemplates): PreviewTemplate[] => {
  const using = templates.filter((template) => names(file, template));
  return using.length > 0 ? using : [...templates];
};
