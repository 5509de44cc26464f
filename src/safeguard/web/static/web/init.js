// Starts GOV.UK Frontend on every page (loaded by web/base.html as a module).
//
// The GOV.UK page template sets these body classes with an inline script; the Content
// Security Policy (script-src 'self') allows no inline script, so this file does it. A
// browser that runs this module supports ES modules, which is what GOV.UK Frontend's
// `govuk-frontend-supported` class means. The classes must be set before initAll(): its
// components start only when the body has `govuk-frontend-supported`.
import { initAll } from "../vendor/govuk-frontend/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
