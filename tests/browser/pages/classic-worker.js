// A dedicated classic (non-module) worker: the package is an ES module, reached with import().
self.onmessage = async (e) => {
  const { reply } = await import('./worker-main.mjs');
  reply(self)(e);
};
