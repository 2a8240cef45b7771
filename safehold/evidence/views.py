"""Evidence pages: the list and upload form for a case, and downloads, which are always
attachments of the type detected at upload, never shown in the browser."""

from __future__ import annotations

import io
import re
from typing import Any

from django.contrib import messages
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.datastructures import MultiValueDict
from django.utils.http import content_disposition_header
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from safehold.accounts.selectors import signed_in_staff
from safehold.cases import access
from safehold.errors import Refusal
from safehold.evidence import inspection, selectors, services
from safehold.evidence.forms import EvidenceForm


class OneFileInMemory(FileUploadHandler):
    """Keeps the first file of a request in memory and nothing else, so an upload never
    lands in a temporary file in clear. It stops keeping bytes one past the size limit
    but goes on counting them, so the service still knows the file was too large."""

    files_seen = 0

    def handle_raw_input(self, *args: Any, **kwargs: Any) -> None:
        self.files_seen = 0

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.files_seen += 1
        self.kept = io.BytesIO()
        raise StopFutureHandlers()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        room = inspection.MAX_BYTES + 1 - self.kept.tell()
        if self.files_seen == 1 and room > 0:
            self.kept.write(raw_data[:room])

    def file_complete(self, file_size: int) -> InMemoryUploadedFile | None:
        if self.files_seen != 1:
            return None
        self.kept.seek(0)
        return InMemoryUploadedFile(
            file=self.kept,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


# Room in an upload request for all but the file: the description, the CSRF token, the
# file's name and the multipart boundaries. A larger request is refused unread.
FORM_ROOM = 64 * 1024


def upload_too_large(request: HttpRequest) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > inspection.MAX_BYTES + FORM_ROOM


# The form's CSRF field as a browser sends it, before the file (evidence/list.html).
CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken"\r\n\r\n([A-Za-z0-9]{32,64})\r\n')


@csrf_exempt  # the upload handler must be set before the CSRF check reads the body...
@require_http_methods(["GET", "POST"])
def evidence_page(request: HttpRequest, case_id: str) -> HttpResponse:
    if request.method == "POST" and upload_too_large(request):
        with_only_its_token(request)
        return upload_refused_unread(request, case_id)
    request.upload_handlers = [OneFileInMemory(request)]
    return evidence_page_protected(request, case_id)


def with_only_its_token(request: HttpRequest) -> None:
    """Gives a request too large to read a form of its CSRF token alone, found in the
    first FORM_ROOM bytes of its body (the form puts the token before the file), so that
    the CSRF check can be made without reading or parsing the rest. A token sent in the
    X-CSRFToken header is checked as on any request."""
    head = request.read(FORM_ROOM)
    found = CSRF_FIELD.search(head)
    form = QueryDict(mutable=True)
    if found:
        form["csrfmiddlewaretoken"] = found.group(1).decode()
    request._post, request._files = form, MultiValueDict()  # type: ignore[attr-defined]


@csrf_protect  # ...and checked here, before the case is read
def upload_refused_unread(request: HttpRequest, case_id: str) -> HttpResponse:
    """413 with the page's own error, the rest of the body unread and unparsed: no file in
    it could be kept. Only once the CSRF token is checked is the case read (and the read
    audited), so a cross-site request is refused with 403 and writes nothing."""
    user = signed_in_staff(request)
    case, items = selectors.evidence_list(user, case_id, via="web")
    form = EvidenceForm({})
    form.full_clean()
    form.errors["upload"] = form.error_class([inspection.too_large().message])
    context = {"case": case, "items": items, "form": form, "max_mb": inspection.MAX_BYTES >> 20}
    return render(request, "evidence/list.html", context, status=413)


@csrf_protect  # ...so the check is made here, after it
def evidence_page_protected(request: HttpRequest, case_id: str) -> HttpResponse:
    user = signed_in_staff(request)
    case = access.case_for(user, case_id)
    posted = request.method == "POST"
    form = EvidenceForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        try:
            services.evidence_add(
                case=case,
                by=user,
                upload=form.cleaned_data["upload"],
                description=form.cleaned_data["description"],
            )
        except Refusal as refusal:
            form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
        else:
            messages.success(request, "File added")
            return redirect("case-evidence", case_id=case.pk)
    case, items = selectors.evidence_list(user, case_id, via="web")
    context = {"case": case, "items": items, "form": form, "max_mb": inspection.MAX_BYTES >> 20}
    return render(request, "evidence/list.html", context, status=422 if form.errors else 200)


@require_GET
def evidence_download(request: HttpRequest, case_id: str, evidence_id: str) -> HttpResponse:
    download = selectors.evidence_download(
        signed_in_staff(request), case_id, evidence_id, via="web"
    )
    response = HttpResponse(download.content, content_type=download.evidence.content_type)
    disposition = content_disposition_header(as_attachment=True, filename=download.filename)
    response["Content-Disposition"] = disposition or "attachment"

    response["X-Content-Type-Options"] = "nosniff"
    return response
