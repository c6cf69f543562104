from django.conf import settings
from django.urls import include, path

from safeguard.api.api import api
from safeguard.core import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("api/v1/", api.urls),
    path("", include("safeguard.accounts.urls")),
    path("", include("safeguard.people.urls")),
    path("", include("safeguard.cases.urls")),
    path("", include("safeguard.supervision.urls")),
    path("", include("safeguard.missing.urls")),
    path("", include("safeguard.encompass.urls")),
    path("", include("safeguard.domestic_abuse.urls")),
    path("", include("safeguard.partners.urls")),
    path("", include("safeguard.notifications.urls")),
    path("", include("safeguard.frontend.urls")),
]

# The Demo mailbox exists only in the demo settings (docs/demo.md): absent, not refused, elsewhere.
if settings.DEMO_MAILBOX:
    urlpatterns.insert(-1, path("", include("safeguard.demomail.urls")))

handler400 = "safeguard.frontend.views.bad_request"
handler403 = "safeguard.frontend.views.permission_denied"
handler404 = "safeguard.frontend.views.page_not_found"
handler500 = "safeguard.frontend.views.server_error"
