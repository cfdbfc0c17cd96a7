"""The exports page: request an export, and follow your jobs' progress."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import request_user
from consensus.errors import InvalidInput
from exports import selectors, services
from exports.forms import ExportForm
from exports.models import ExportJob


@login_required
@require_http_methods(["GET", "POST"])
def exports_page(request: HttpRequest) -> HttpResponse:
    """A form that requests an export, and the user's jobs with their progress bars."""
    user = request_user(request)
    status = 200
    if request.method == "POST":
        form = ExportForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.export_request(
                    user=user,
                    kind=data["kind"],
                    format=data["format"],
                    route=data["route"] if data["kind"] == ExportJob.Kind.MATRIX else "",
                    as_of=data["as_of"],
                )
            except InvalidInput as refusal:
                for field, problems in refusal.errors.items():
                    messages_ = problems if isinstance(problems, list) else [str(problems)]
                    for problem in messages_:
                        form.add_error(field if field in form.fields else None, str(problem))
            else:
                messages.success(request, _("Export requested: it is being prepared."))
                return redirect("exports")
        status = 400
    else:
        form = ExportForm()
    context = {
        "form": form,
        "jobs": selectors.exports_requested_by(user=user),
        "status_labels": ExportJob.Status.choices,
    }
    return render(request, "exports/exports.html", context, status=status)
