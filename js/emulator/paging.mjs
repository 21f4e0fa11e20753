// Pagination of list responses.
//
// Page tokens are opaque to clients: base64url of {"o": offset, "f": fingerprint}, where the
// fingerprint is a short hash of the filter and search the listing was made with. A token that does
// not decode, or that was made for another filter, is a 400 naming `page_token`. The page size
// defaults to 10 when 0 or absent; `next_page_token`/`prev_page_token` are "" at the ends and
// `total_size` counts every item matching the filter.

import { createHash } from 'node:crypto';
import { errors, violation } from './errors.mjs';

export const DEFAULT_PAGE_SIZE = 10;

function fingerprint(scope) {
  return createHash('sha256').update(JSON.stringify(scope)).digest('base64url').slice(0, 12);
}

const encodeToken = (offset, fp) => Buffer.from(JSON.stringify({ o: offset, f: fp })).toString('base64url');

function decodeToken(token, fp) {
  let parsed;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    parsed = null;
  }
  if (!parsed || !Number.isInteger(parsed.o) || parsed.o < 0 || parsed.f !== fp) {
    throw errors.invalidArgument('invalid page_token', [
      violation('page_token', 'page_token.valid', 'not a page token of this listing (tokens are tied to the filter and search)'),
    ]);
  }
  return parsed.o;
}

/**
 * Cuts one page out of `items` (already filtered and ordered).
 * `scope` is what the listing was filtered with; tokens only work with the same scope.
 */
export function paginate(items, { pageSize, pageToken, scope }) {
  const size = pageSize || DEFAULT_PAGE_SIZE;
  const fp = fingerprint(scope);
  const offset = pageToken ? decodeToken(pageToken, fp) : 0;
  const end = offset + size;
  return {
    page: items.slice(offset, end),
    nextPageToken: end < items.length ? encodeToken(end, fp) : '',
    prevPageToken: offset > 0 ? encodeToken(Math.max(0, offset - size), fp) : '',
    totalSize: items.length,
  };
}
