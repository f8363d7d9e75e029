import type { Stores } from '../../lambdas/stores.ts';

const never = new Promise<never>(() => undefined);

/**
 * Stands in for a process that can be killed: once `kill()` is called, every call through a wrapped object hangs
 * for good, and so does every answer still on its way back. Writes already sent still land (DynamoDB and SES do
 * not know the caller died); the process just never acts on them, nor on anything after.
 */
export const killSwitch = () => {
  let dead = false;
  const wrap = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(object, property) {
        const value: unknown = Reflect.get(object, property);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (dead) return never;
          const result: unknown = value.apply(object, args);
          if (!(result instanceof Promise)) return result;
          return result.then(
            (answer: unknown) => (dead ? never : answer),
            (error: unknown) => (dead ? never : Promise.reject(error)),
          );
        };
      },
    });
  return {
    wrap,
    /** Each store wrapped. */
    stores: (stores: Stores): Stores => ({ articles: wrap(stores.articles), subscribers: wrap(stores.subscribers), editions: wrap(stores.editions), deliveries: wrap(stores.deliveries), variants: wrap(stores.variants) }),
    kill: () => {
      dead = true;
    },
    get dead() {
      return dead;
    },
  };
};
