import { dateInZone } from './model.ts';

/** The one read the watchdog needs (the editions store's `get`). */
export interface WatchedEditions {
  get(editionId: string): Promise<{ readonly status: string; readonly statusReason?: string } | undefined>;
}

export interface DeadlineCheckRequest {
  /** When this check was scheduled to run: the edition's scheduled send time plus the deadline. */
  readonly scheduledTime: Date;
  readonly deadlineMinutes: number;
}

export interface DeadlineCheck {
  readonly editionId: string;
  readonly sent: boolean;
  /** The edition's status, or `missing` when nothing ever took it. */
  readonly status: string;
  /** One line for the log and the alarm's reader. */
  readonly message: string;
}

/**
 * Is the edition of the scheduled day sent by its deadline? Anything else is late: skipped for lack of
 * news, stopped or paused, still composing or sending, or never started (the schedule or compose
 * failed before it took the edition). The day is the newsletter's date at the scheduled send time, so
 * a deadline after midnight still checks the edition it belongs to.
 */
export const checkEditionDeadline = async (
  request: DeadlineCheckRequest,
  deps: { readonly editions: WatchedEditions; readonly timeZone: string },
): Promise<DeadlineCheck> => {
  const scheduledSend = new Date(request.scheduledTime.getTime() - request.deadlineMinutes * 60_000);
  const editionId = dateInZone(deps.timeZone, scheduledSend);
  const edition = await deps.editions.get(editionId);
  const late = `edition ${editionId} is not sent ${request.deadlineMinutes} minutes after its scheduled time (${scheduledSend.toISOString()})`;
  if (!edition) {
    return { editionId, sent: false, status: 'missing', message: `${late}: it was never started (the schedule did not run compose, or compose failed before taking the edition)` };
  }
  if (edition.status === 'sent') return { editionId, sent: true, status: 'sent', message: `edition ${editionId} was sent in time` };
  const reason = edition.statusReason && edition.statusReason !== edition.status ? ` (${edition.statusReason})` : '';
  return { editionId, sent: false, status: edition.status, message: `${late}: it is ${edition.status}${reason}` };
};
