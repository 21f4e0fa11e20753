// One HTTP exchange for the wasm shell (src/shell/http.rs): the global `fetch`, then the body as
// text, unless the response declares more than `limit` bytes (then the download is cancelled).
// The outcome goes to the shell's callbacks together with the attempt's `id`:
//
//   settled(id, response, text)   text: the body; null: declared over the limit; undefined: what
//                                 fetch resolved with is not a Response
//   failed(id, error, midway)     midway: false if fetch rejected, true if the body failed
//
// Reading the body here, in the promise reaction of `fetch`, rather than back in wasm, means an
// attempt enters wasm once, when it ends. The promise returned settles with what the callback
// returns.
export function exchange(url, init, limit, id, settled, failed) {
  return fetch(url, init).then(
    (res) => {
      if (!(res instanceof Response)) return settled(id, res, undefined);
      const declared = res.headers.get('content-length');
      if (declared !== null && Number(declared) > limit) {
        res.body?.cancel().catch(() => {});
        return settled(id, res, null);
      }
      return res.text().then(
        (text) => settled(id, res, text),
        (err) => failed(id, err, true),
      );
    },
    (err) => failed(id, err, false),
  );
}
