"""The Demo mailbox page (thin): what the demo sent, newest first. Mounted only when
settings.DEMO_MAILBOX is on (config/urls.py); the view refuses too if it is off."""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render

from safeguard.core.permissions import Permission
from safeguard.core.views import ActorRequest, requires
from safeguard.demomail.selectors import demo_mail_list

PAGE_SIZE = 20


@requires(Permission.DEMO_MAILBOX_VIEW)
def mailbox(request: ActorRequest) -> HttpResponse:
    if not settings.DEMO_MAILBOX:
        raise Http404
    request.nav_section = "demo_mailbox"
    number = request.GET.get("page") or "1"
    mails = demo_mail_list(actor=request.actor, page_label=f"page {number}"[:64])
    page = Paginator(mails, PAGE_SIZE).get_page(number)
    return render(request, "demomail/mailbox.html", {"page": page})
