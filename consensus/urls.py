"""The site's URLs: the pages, the admin, the API (version 1) and its schema."""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts.api import TokenView
from assets import api as assets_api
from consensus import api as consensus_api
from consensus import silence_api
from consensus.declarations import api_urls as declarations_api_urls
from consensus.health import health
from events import api as events_api
from exports import api as exports_api
from positions import api

api_v1 = [
    path("auth/token/", TokenView.as_view(), name="token"),
    path("states/", api.StateList.as_view(), name="state-list"),
    path("measures/", api.MeasureListCreate.as_view(), name="measure-list"),
    path("measures/<int:measure_id>/", api.MeasureDetail.as_view(), name="measure-detail"),
    path("measures/<int:measure_id>/positions/", api.PositionList.as_view(), name="position-list"),
    path(
        "measures/<int:measure_id>/positions/<str:code>/",
        api.PositionDetail.as_view(),
        name="position-detail",
    ),
    path(
        "measures/<int:measure_id>/history/", api.MeasureHistory.as_view(), name="measure-history"
    ),
    path(
        "measures/<int:measure_id>/support/", consensus_api.MeasureSupport.as_view(), name="support"
    ),
    path(
        "measures/<int:measure_id>/transfer/",
        consensus_api.TransferMotionCreate.as_view(),
        name="transfer",
    ),
    path("measures/<int:measure_id>/silence/", silence_api.Silence.as_view(), name="silence"),
    path(
        "measures/<int:measure_id>/silence/break/",
        silence_api.SilenceBreak.as_view(),
        name="silence-break",
    ),
    path(
        "measures/<int:measure_id>/assets/",
        assets_api.MeasureAssets.as_view(),
        name="measure-assets",
    ),
    path("assets/", assets_api.AssetListCreate.as_view(), name="asset-list"),
    path("assets/import/", assets_api.AssetImport.as_view(), name="asset-import"),
    path("assets/<int:asset_id>/", assets_api.AssetDetail.as_view(), name="asset-detail"),
    path("matrix/", consensus_api.SupportMatrix.as_view(), name="matrix"),
    path("changes/", consensus_api.ChangeFeed.as_view(), name="changes"),
    *declarations_api_urls.urlpatterns,
    path("webhooks/", events_api.WebhookListCreate.as_view(), name="webhook-list"),
    path("webhooks/<int:webhook_id>/", events_api.WebhookDetail.as_view(), name="webhook-detail"),
    path(
        "webhooks/<int:webhook_id>/deliveries/",
        events_api.WebhookDeliveries.as_view(),
        name="webhook-deliveries",
    ),
    path("exports/", exports_api.ExportListCreate.as_view(), name="export-list"),
    path("exports/<uuid:job_id>/", exports_api.ExportDetail.as_view(), name="export-detail"),
    path(
        "exports/<uuid:job_id>/download/",
        exports_api.ExportDownload.as_view(),
        name="export-download",
    ),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        # Swagger UI styles its widgets inline: allowed here only (its script has a nonce).
        csp_update({"style-src": [UNSAFE_INLINE]})(
            SpectacularSwaggerView.as_view(url_name="api:schema")
        ),
        name="docs",
    ),
]

urlpatterns = [
    path("", include("positions.urls")),
    path("", include("consensus.pages_urls")),
    path("assets/", include("assets.urls")),
    path("accounts/", include("accounts.urls")),
    path("declarations/", include("consensus.declarations.urls")),
    path("exports/", include("exports.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"))),
    path("health/", health, name="health"),
    path("i18n/", include("django.conf.urls.i18n")),
]
