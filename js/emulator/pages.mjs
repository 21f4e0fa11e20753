// The small HTML pages a user sees when opening an authentication link.
//   200  the account is now ACTIVE
//   409  the link was already used
//   410  the link expired (links live `authLinkTtl` seconds, 60 by default)
//   404  no such link (never issued, or the emulator was reset)

const escapeHtml = (text) =>
  String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

function page(title, paragraphs) {
  const body = paragraphs.map((p) => `<p>${p}</p>`).join('\n  ');
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${escapeHtml(title)} - Scalekit emulator</title>
  <style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;line-height:1.5}</style>
</head>
<body>
  <h1>${escapeHtml(title)}</h1>
  ${body}
</body>
</html>
`;
}

const who = (account) =>
  `<strong>${escapeHtml(account.connectionName)}</strong> for <strong>${escapeHtml(account.identifier)}</strong>`;

/** The page for an outcome of `Store.redeemAuthLink`: {status, html}. */
export function authorizePage({ outcome, account }) {
  switch (outcome) {
    case 'authorized':
      return {
        status: 200,
        html: page('Account connected', [
          `The connected account ${who(account)} is now ACTIVE.`,
          'You can close this window and return to the application.',
        ]),
      };
    case 'used':
      return {
        status: 409,
        html: page('Link already used', [
          `This authentication link for ${who(account)} has already been used.`,
          'Ask the application for a fresh link.',
        ]),
      };
    case 'expired':
      return {
        status: 410,
        html: page('Link expired', [
          `This authentication link for ${who(account)} has expired.`,
          'Ask the application for a fresh link.',
        ]),
      };
    default:
      return {
        status: 404,
        html: page('Link not found', ['This authentication link does not exist (or the emulator was reset).']),
      };
  }
}
