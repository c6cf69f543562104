// Starts GOV.UK Frontend components (the MoJ patterns we use need no JavaScript); no CDN.
import { initAll } from "../vendor/govuk-frontend/govuk-frontend.min.js";

// Module scripts run before DOMContentLoaded, so js-enabled.js has not marked the body yet.
// Only browsers that run ES modules reach this line, which is what the class asserts.
document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
