// Starts GOV.UK Frontend's components. Every page works without it.
import { initAll } from '../govuk/govuk-frontend.min.js'
initAll()

// "Change" on a check-your-answers page returns to the form at the answer's box
// (/cases/new#id_name): put the cursor in it, as an error summary's link does.
const wanted = window.location.hash.slice(1)
const box = wanted && document.getElementById(decodeURIComponent(wanted))
if (box && box.matches('input, select, textarea')) box.focus()

// GOV.UK's conditional reveal on radios marked data-safehold-reveal: each radio's
// data-reveals names the questions shown while it is chosen. (govuk-frontend's Radios
// would also mark each radio aria-expanded, which a radio may not carry.)
for (const group of document.querySelectorAll('[data-safehold-reveal]')) {
  const sync = () => {
    for (const radio of group.querySelectorAll('input[type="radio"][data-reveals]')) {
      const questions = document.getElementById(radio.dataset.reveals)
      if (questions) questions.classList.toggle('govuk-radios__conditional--hidden', !radio.checked)
    }
  }
  group.addEventListener('change', sync)
  window.addEventListener('pageshow', sync)
  sync()
}
