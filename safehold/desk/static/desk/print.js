// "Print this page" on a case's chronology: the browser's print dialogue (the page's
// print stylesheet leaves out the navigation). Without JavaScript the link stays hidden
// and the browser's own Print does the same.
for (const link of document.querySelectorAll('[data-safehold-print]')) {
  link.addEventListener('click', (event) => {
    event.preventDefault()
    window.print()
  })
}
