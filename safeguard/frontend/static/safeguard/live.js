// Live lists: an element with data-live-src (a table body, or a block holding a summary and
// its table) is fetched again every 30 seconds, so new and newly overdue work appears without
// a manual refresh. It is replaced only when its content changed; a table body is an aria-live
// region, so screen readers hear changes, not polling.
const DEFAULT_SECONDS = 30

async function refresh (body) {
  try {
    const response = await fetch(body.dataset.liveSrc, {
      credentials: 'same-origin',
      headers: { Accept: 'text/html' }
    })
    if (!response.ok) return
    const html = (await response.text()).trim()
    // Someone is on a link or button in it: replacing it would lose their place. Next time.
    if (body.contains(document.activeElement)) return
    if (html && html !== body.innerHTML.trim()) body.innerHTML = html
  } catch (error) {
    // Offline or signed out: keep what is shown and try again next time.
  }
}

for (const body of document.querySelectorAll('[data-live-src]')) {
  const seconds = Number(body.dataset.liveSeconds) || DEFAULT_SECONDS
  window.setInterval(() => refresh(body), seconds * 1000)
}
