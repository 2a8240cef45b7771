// Starts GOV.UK Frontend's components on the public pages. Exit this page (its button,
// its skip link and Shift pressed three times) leaves as GOV.UK's component does, but
// with location.replace: the page is taken out of the browser's history, so Back does
// not return to it. Without JavaScript the button is a plain link to the same site.
import { ExitThisPage, initAll } from '../govuk/govuk-frontend.min.js'

ExitThisPage.prototype.exitPage = function () {
  if (!this.$updateSpan) return
  this.$updateSpan.textContent = ''
  document.body.classList.add('govuk-exit-this-page-hide-content')
  this.$overlay = document.createElement('div')
  this.$overlay.className = 'govuk-exit-this-page-overlay'
  this.$overlay.setAttribute('role', 'alert')
  this.$overlay.textContent = 'Loading.'
  document.body.appendChild(this.$overlay)
  window.location.replace(this.$button.href)
}
initAll()
