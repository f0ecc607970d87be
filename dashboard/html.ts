/**
 * The page Teams frames as the dashboard tab (content) or as the channel tab's set-up (configure).
 * Everything it loads comes from the bot itself; the script decides what to show.
 */
export function dashboardHtml(mode: 'content' | 'configure'): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${mode === 'content' ? 'Privacy dashboard' : 'Add the privacy dashboard'} · DSR Assistant</title>
<link rel="stylesheet" href="/dashboard/assets/dashboard.css">
<script type="module" src="/dashboard/assets/dashboard.js"></script>
</head>
<body data-mode="${mode}">
<main id="app" aria-busy="true"><p>Loading the privacy dashboard…</p></main>
</body>
</html>
`;
}
