// Promise.withResolvers (ES2024, Node 22) for Node 20: @helia/verified-fetch and its libp2p
// dependencies call it. Imported only by test/integration/verified-fetch.test.ts, before Helia
// loads; the project itself does not use it (docs/app/artifact-store.md "Independent clients").
interface Resolvers<T> {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
}

const P = Promise as unknown as { withResolvers?: <T>() => Resolvers<T> };

if (typeof P.withResolvers !== 'function') {
  P.withResolvers = <T>(): Resolvers<T> => {
    let resolve!: Resolvers<T>['resolve'];
    let reject!: Resolvers<T>['reject'];
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

export {};
