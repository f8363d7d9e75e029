import type { MimeSkeleton } from '../mail/mime-skeleton.ts';
import type { RenderedBriefing } from '../render/briefing.ts';

/**
 * One topic variant of an edition as compose stored it: the briefing of one selection of stories, its placeholders
 * still in (with the edition's marker), for the readers whose topics select those stories. The full edition is not
 * one of them: it stays on the edition record, which the archive page shows and a job without a variant names.
 */
export interface StoredVariant {
  readonly editionId: string;
  /** `variantKey()` of its stories: the same stories in the same order always have the same key. */
  readonly variantKey: string;
  readonly subject: string;
  readonly preheader: string;
  readonly html: string;
  readonly text: string;
  readonly marker: string;
  /** Its MIME as compose compiled it, to be filled in per recipient by deliver; absent on variants stored before. */
  readonly mime?: MimeSkeleton;
  /** Its stories, lead first. */
  readonly articleIds: readonly string[];
  /** The keys (`topicSetKey`) of the topic sets that get it. */
  readonly topicSets: readonly string[];
}

/** A variant without its content: what a resume maps readers to variants with. */
export type VariantSummary = Pick<StoredVariant, 'editionId' | 'variantKey' | 'articleIds' | 'topicSets'>;

/** The briefing a variant holds, as deliver personalises it. */
export const variantBriefing = (variant: StoredVariant): RenderedBriefing => ({
  subject: variant.subject,
  preheader: variant.preheader,
  html: variant.html,
  text: variant.text,
  mjml: '',
  marker: variant.marker,
});

/** Where an edition's topic variants are kept while it is sent and resumed. */
export interface VariantStore {
  /** Stores variants (a compose run again writes the same keys over them); throws naming every variant it could not store. */
  putMany(variants: readonly StoredVariant[]): Promise<void>;
  /** One variant, read consistently; undefined when there is none under that key. */
  get(editionId: string, variantKey: string): Promise<StoredVariant | undefined>;
  /** Every variant of an edition, without its content. */
  list(editionId: string): Promise<VariantSummary[]>;
}
