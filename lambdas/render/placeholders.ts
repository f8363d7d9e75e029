/** The per-recipient slots in a rendered email, named after the render's random marker. */
export const placeholders = (marker: string) => ({
  unsubscribeUrl: `${marker}-unsubscribe-url`,
  preferencesUrl: `${marker}-preferences-url`,
  browserUrl: `${marker}-browser-url`,
  email: `${marker}-email`,
});

export type PlaceholderName = keyof ReturnType<typeof placeholders>;
