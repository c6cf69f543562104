// Starts GOV.UK Frontend and MoJ Frontend components; served from our own static files (no CDN).
import { initAll } from "../vendor/govuk-frontend/govuk-frontend.min.js";

initAll();
