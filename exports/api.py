"""The exports API: request a job, follow its progress, download its file."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.exceptions import APIException
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import request_user
from consensus.silence_api import AwareDateTimeField
from exports import selectors, services
from exports.models import ExportJob
from positions.models import ROUTE_CHOICES, Measure
from positions.serializers import StrictInputSerializer

BAD_INPUT = OpenApiResponse(description="Bad input: field errors, naming each bad field.")
NOT_FOUND = OpenApiResponse(description="No such export, or not yours.")


class ExportInput(StrictInputSerializer):
    kind = serializers.ChoiceField(choices=ExportJob.Kind.choices)
    format = serializers.ChoiceField(choices=ExportJob.Format.choices)
    route = serializers.ChoiceField(
        choices=ROUTE_CHOICES, required=False, help_text="Matrix only; alliance if unset."
    )
    as_of = AwareDateTimeField(
        required=False,
        allow_null=True,
        help_text="The matrix as it stood then; for the history, the changes up to then.",
    )
    status = serializers.ChoiceField(
        choices=Measure.Status.choices, required=False, help_text="Matrix only: measure status."
    )
    category = serializers.ChoiceField(
        choices=Measure.Category.choices, required=False, help_text="Matrix only."
    )
    measure = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text="History only: one measure's changes.",
    )


class ExportParameters(serializers.Serializer[ExportJob]):
    route = serializers.CharField(allow_null=True)
    as_of = serializers.DateTimeField(allow_null=True)
    status = serializers.CharField(source="measure_status", allow_null=True)
    category = serializers.CharField(source="measure_category", allow_null=True)
    measure = serializers.IntegerField(source="measure_id", allow_null=True)

    def to_representation(self, job: ExportJob) -> dict[str, Any]:
        data = super().to_representation(job)
        return {key: None if value == "" else value for key, value in data.items()}


class ExportProgress(serializers.Serializer[ExportJob]):
    done = serializers.IntegerField(source="rows_done")
    total = serializers.IntegerField(source="rows_total")
    percent = serializers.IntegerField()


class ExportOutput(serializers.ModelSerializer[ExportJob]):
    parameters = ExportParameters(source="*")
    progress = ExportProgress(source="*")
    url = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()
    requested_by = serializers.CharField(source="requested_by.username")

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "kind",
            "format",
            "parameters",
            "status",
            "progress",
            "error",
            "filename",
            "requested_by",
            "requested_at",
            "started_at",
            "finished_at",
            "url",
            "download_url",
        ]

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    def get_url(self, job: ExportJob) -> str:
        return self._absolute(reverse("api:export-detail", args=[job.pk]))

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_download_url(self, job: ExportJob) -> str | None:
        if job.status != ExportJob.Status.DONE:
            return None
        return self._absolute(reverse("api:export-download", args=[job.pk]))


def _job_or_404(request: Request, job_id: UUID) -> ExportJob:
    job = (
        selectors.exports_visible(user=request_user(request))
        .select_related("requested_by")
        .filter(pk=job_id)
        .first()
    )
    if job is None:
        raise Http404
    return job


class ExportListCreate(generics.ListAPIView[ExportJob]):
    """The caller's export jobs, newest first (a coordinator's list holds every job);
    POST requests an export (a matrix or the change history, CSV or XLSX), built in the
    background."""

    queryset = ExportJob.objects.none()  # for the schema; get_queryset keeps what one may see
    serializer_class = ExportOutput

    def get_queryset(self) -> QuerySet[ExportJob]:
        return (
            selectors.exports_visible(user=request_user(self.request))
            .select_related("requested_by")
            .order_by("-requested_at", "pk")
        )

    @extend_schema(
        request=ExportInput,
        responses={202: ExportOutput, 400: BAD_INPUT},
    )
    def post(self, request: Request) -> Response:
        form = ExportInput(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        job = services.export_request(
            user=request_user(request),
            kind=data["kind"],
            format=data["format"],
            route=data.get("route", ""),
            as_of=data.get("as_of"),
            measure_status=data.get("status", ""),
            measure_category=data.get("category", ""),
            measure_id=data.get("measure"),
        )
        job.refresh_from_db()  # built already when tasks run in-process
        body = ExportOutput(job, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})


class ExportDetail(APIView):
    """An export's status and progress, and its download link once done."""

    @extend_schema(responses={200: ExportOutput, 404: NOT_FOUND})
    def get(self, request: Request, job_id: UUID) -> Response:
        job = _job_or_404(request, job_id)
        return Response(ExportOutput(job, context={"request": request}).data)


class NotReady(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The export is not done: follow its progress, then download it."
    default_code = "not_ready"


class AnyMediaRenderer(JSONRenderer):
    """Lets a client ask for the file's own type (``Accept: text/csv``); errors stay JSON."""

    media_type = "*/*"
    format = "file"


class ExportDownload(APIView):
    """The export's file, streamed, once the job is done."""

    renderer_classes = [JSONRenderer, AnyMediaRenderer]

    @extend_schema(
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            (
                200,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ): OpenApiTypes.BINARY,
            404: NOT_FOUND,
            409: OpenApiResponse(description="Not done yet (or failed)."),
        },
    )
    def get(self, request: Request, job_id: UUID) -> FileResponse:
        job = _job_or_404(request, job_id)
        if job.status != ExportJob.Status.DONE or not job.file:
            raise NotReady
        return FileResponse(
            job.file.open("rb"),
            as_attachment=True,
            filename=job.filename,
            content_type=job.content_type,
        )
