// Starts GOV.UK Frontend's components. Every page works without it.
import { initAll } from '../govuk/govuk-frontend.min.js'
initAll()

// "Change" on a check-your-answers page returns to the form at the answer's box
// (/cases/new#id_name): put the cursor in it, as an error summary's link does.
const wanted = window.location.hash.slice(1)
const box = wanted && document.getElementById(decodeURIComponent(wanted))
if (box && box.matches('input, select, textarea')) box.focus()
