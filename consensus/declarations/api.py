"""API views for declarations, versions, diffs, amendments and phrases: parse, call, render."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions
from accounts.models import request_user
from consensus.declarations import selectors, services
from consensus.declarations.serializers import (
    AmendmentDecisionInput,
    AmendmentInput,
    AmendmentOutput,
    AmendmentStanceInput,
    DeclarationInput,
    DeclarationOutput,
    DiffOutput,
    DiffQuery,
    PhraseOutput,
    PhraseQuery,
    VersionInput,
    VersionOutput,
    VersionSummaryOutput,
)
from consensus.models import Amendment, Declaration, DeclarationVersion

BAD_INPUT = OpenApiResponse(description="Bad input: field errors, naming each bad field.")
FORBIDDEN = OpenApiResponse(description="You may not do this; nothing was written.")
NOT_FOUND = OpenApiResponse(description="No such declaration, version or amendment.")
CONFLICT = OpenApiResponse(
    description="The amendment cannot take this step now (decided already, stance already "
    "taken, or its paragraph changed since its base version); nothing was written."
)


def _declaration_or_404(declaration_id: int) -> Declaration:
    declaration = selectors.declaration_get(declaration_id=declaration_id)
    if declaration is None:
        raise Http404
    return declaration


def _amendment_or_404(declaration_id: int, amendment_id: int) -> Amendment:
    declaration = _declaration_or_404(declaration_id)
    amendment = selectors.amendment_get(declaration=declaration, amendment_id=amendment_id)
    if amendment is None:
        raise Http404
    return amendment


def _conflict(error: services.AmendmentConflict) -> Response:
    return Response({"detail": str(error)}, status=status.HTTP_409_CONFLICT)


class DeclarationListCreate(generics.ListAPIView[Declaration]):
    """Every declaration, the latest year first; coordinators start new ones."""

    queryset = Declaration.objects.none()  # for the schema; get_queryset annotates
    serializer_class = DeclarationOutput

    def get_queryset(self) -> QuerySet[Declaration]:
        return selectors.declarations_list()

    @extend_schema(
        request=DeclarationInput,
        responses={201: DeclarationOutput, 400: BAD_INPUT, 403: FORBIDDEN},
    )
    def post(self, request: Request) -> Response:
        if not permissions.can_manage_declarations(request_user(request)):
            raise PermissionDenied("Only coordinators start declarations.")
        form = DeclarationInput(data=request.data)
        form.is_valid(raise_exception=True)
        declaration = services.declaration_create(
            actor=request_user(request), **form.validated_data
        )
        return Response(DeclarationOutput(declaration).data, status=status.HTTP_201_CREATED)


class DeclarationDetail(APIView):
    """One declaration, with the number of its latest version."""

    @extend_schema(responses={200: DeclarationOutput, 404: NOT_FOUND})
    def get(self, request: Request, declaration_id: int) -> Response:
        return Response(DeclarationOutput(_declaration_or_404(declaration_id)).data)


class VersionListCreate(generics.ListAPIView[DeclarationVersion]):
    """A declaration's versions, by number (without their text); coordinators add the next one."""

    queryset = (
        DeclarationVersion.objects.none()
    )  # for the schema; get_queryset picks the declaration
    serializer_class = VersionSummaryOutput

    @extend_schema(responses={200: VersionSummaryOutput(many=True), 404: NOT_FOUND})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[DeclarationVersion]:
        declaration = _declaration_or_404(self.kwargs["declaration_id"])
        return selectors.versions_list(declaration=declaration)

    @extend_schema(
        request=VersionInput,
        responses={201: VersionOutput, 400: BAD_INPUT, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, declaration_id: int) -> Response:
        declaration = _declaration_or_404(declaration_id)
        if not permissions.can_manage_declarations(request_user(request)):
            raise PermissionDenied("Only coordinators record versions of a declaration.")
        form = VersionInput(data=request.data)
        form.is_valid(raise_exception=True)
        version = services.version_create(
            actor=request_user(request), declaration=declaration, **form.validated_data
        )
        return Response(VersionOutput(version).data, status=status.HTTP_201_CREATED)


class VersionDetail(APIView):
    """One version: its text, its paragraphs from 1 with their brackets, its bracket count."""

    @extend_schema(responses={200: VersionOutput, 404: NOT_FOUND})
    def get(self, request: Request, declaration_id: int, number: int) -> Response:
        declaration = _declaration_or_404(declaration_id)
        version = selectors.version_get(declaration=declaration, number=number)
        if version is None:
            raise Http404
        return Response(VersionOutput(version).data)


class DeclarationDiff(APIView):
    """The diff between two versions, paragraph by paragraph and word by word."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "from", OpenApiTypes.INT, description="The old version (default: before `to`)."
            ),
            OpenApiParameter(
                "to", OpenApiTypes.INT, description="The new version (default: latest)."
            ),
        ],
        responses={200: DiffOutput, 400: BAD_INPUT, 404: NOT_FOUND},
    )
    def get(self, request: Request, declaration_id: int) -> Response:
        declaration = _declaration_or_404(declaration_id)
        query = DiffQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        diff = selectors.declaration_diff(
            declaration=declaration,
            from_number=query.validated_data.get("from"),
            to_number=query.validated_data.get("to"),
        )
        return Response(DiffOutput(diff).data)


class AmendmentListCreate(generics.ListAPIView[Amendment]):
    """A declaration's amendments, oldest first; delegates propose them for their own state."""

    queryset = Amendment.objects.none()  # for the schema; get_queryset picks the declaration
    serializer_class = AmendmentOutput

    @extend_schema(responses={200: AmendmentOutput(many=True), 404: NOT_FOUND})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Amendment]:
        declaration = _declaration_or_404(self.kwargs["declaration_id"])
        return selectors.amendments_list(declaration=declaration)

    @extend_schema(
        request=AmendmentInput,
        responses={201: AmendmentOutput, 400: BAD_INPUT, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, declaration_id: int) -> Response:
        declaration = _declaration_or_404(declaration_id)
        if not permissions.can_propose_amendment(request_user(request)):
            raise PermissionDenied("Only delegates propose amendments, for their own state.")
        form = AmendmentInput(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        amendment = services.amendment_propose(
            actor=request_user(request),
            declaration=declaration,
            version_number=data["version"],
            paragraph=data["paragraph"],
            text=data["text"],
            rationale=data["rationale"],
        )
        created = selectors.amendment_get(declaration=declaration, amendment_id=amendment.pk)
        return Response(AmendmentOutput(created).data, status=status.HTTP_201_CREATED)


class AmendmentDetail(APIView):
    """One amendment, with its supporters and objectors."""

    @extend_schema(responses={200: AmendmentOutput, 404: NOT_FOUND})
    def get(self, request: Request, declaration_id: int, amendment_id: int) -> Response:
        return Response(AmendmentOutput(_amendment_or_404(declaration_id, amendment_id)).data)


class AmendmentStanceCreate(APIView):
    """A delegate of another state than the sponsor supports or objects, once per state."""

    @extend_schema(
        request=AmendmentStanceInput,
        responses={
            201: AmendmentOutput,
            400: BAD_INPUT,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: CONFLICT,
        },
    )
    def post(self, request: Request, declaration_id: int, amendment_id: int) -> Response:
        amendment = _amendment_or_404(declaration_id, amendment_id)
        if not permissions.can_take_amendment_stance(request_user(request), amendment.sponsor):
            raise PermissionDenied(
                "Only delegates of states other than the sponsor support or object to it."
            )
        form = AmendmentStanceInput(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            services.amendment_stance_record(
                actor=request_user(request), amendment=amendment, **form.validated_data
            )
        except services.AmendmentConflict as conflict:
            return _conflict(conflict)
        updated = _amendment_or_404(declaration_id, amendment_id)
        return Response(AmendmentOutput(updated).data, status=status.HTTP_201_CREATED)


class AmendmentDecide(APIView):
    """A coordinator accepts (making the next version) or rejects an amendment, once."""

    @extend_schema(
        request=AmendmentDecisionInput,
        responses={
            200: AmendmentOutput,
            400: BAD_INPUT,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: CONFLICT,
        },
    )
    def post(self, request: Request, declaration_id: int, amendment_id: int) -> Response:
        amendment = _amendment_or_404(declaration_id, amendment_id)
        if not permissions.can_decide_amendment(request_user(request)):
            raise PermissionDenied("Only coordinators accept or reject amendments.")
        form = AmendmentDecisionInput(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            services.amendment_decide(
                actor=request_user(request), amendment=amendment, **form.validated_data
            )
        except services.AmendmentConflict as conflict:
            return _conflict(conflict)
        return Response(AmendmentOutput(_amendment_or_404(declaration_id, amendment_id)).data)


class PhraseSearch(APIView):
    """For each declaration, where a phrase occurs, when it first appeared and last dropped."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q",
                OpenApiTypes.STR,
                required=True,
                description="The phrase: whole words, any case, any whitespace between words.",
            )
        ],
        responses={200: PhraseOutput, 400: BAD_INPUT},
    )
    def get(self, request: Request) -> Response:
        query = PhraseQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        phrase = query.validated_data["q"]
        histories = selectors.phrase_history(phrase=phrase)
        return Response(PhraseOutput({"q": phrase, "declarations": histories}).data)
