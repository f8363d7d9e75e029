// Placeholder so the CDK app can bundle this function; the compose handler's owner replaces it.
export const handler = async (): Promise<never> => {
  throw new Error('not implemented yet');
};
