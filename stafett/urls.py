from django.contrib import admin
from django.urls import include, path

from stafett.core import views as core_views
from stafett.tenancy import views as tenancy_views

admin.site.site_header = "Stafett – drift"


def _operators_only(request):
    # The Django admin is for system operators only, never for municipal staff.
    return request.user.is_active and request.user.is_superuser


admin.site.has_permission = _operators_only

urlpatterns = [
    path("", core_views.home, name="home"),
    path("", include("stafett.core.urls")),
    path("konto/", include("stafett.accounts.urls")),
    path("kommune/", tenancy_views.switch_municipality, name="switch_municipality"),
    path("bekymringer/", include("stafett.concerns.urls")),
    path("stafettlogg/", include("stafett.relay.urls")),
    path("stafettlogg/", include("stafett.relay.urls_content")),
    path("bekymringsmeldinger/", include("stafett.reports.urls")),
    path("ledelse/", include("stafett.insights.urls")),
    path("kartlegging/", include("stafett.surveys.urls")),
    path("veileder/", include("stafett.guides.urls")),
    path("veileder/rediger/", include("stafett.guides.urls_editor")),
    path("veileder/rediger/fil/", include("stafett.guides.urls_io")),
    path("", include("stafett.guides.urls_tools")),
    path("k/<str:municipality_number>/veileder/", include("stafett.guides.urls_public")),
    path("tiltak/", include("stafett.catalog.urls")),
    path("k/<str:municipality_number>/tiltak/", include("stafett.catalog.urls_public")),
    path("oppfolging/", include("stafett.followup.urls")),
    path("introduksjon/", include("stafett.onboarding.urls")),
    path("arkiv/", include("stafett.archive.urls")),
    path("oppbevaring/", include("stafett.retention.urls")),
    path("varsler/", include("stafett.notify.urls")),
    path("arkiv/uttrekk/", include("stafett.archive.extract_urls")),
    path("innsyn/", include("stafett.fullrecord.urls")),
    path("familie/innsyn/", include("stafett.fullrecord.urls_family")),
    path("tilbakemelding/", include("stafett.feedback.urls")),
    path("familie/tilbakemelding/", include("stafett.feedback.urls_family")),
    path("familie/", include("stafett.citizen.urls")),
    path("", include("stafett.oidc.urls")),
    path("admin/", admin.site.urls),
]

# Stafett's own error pages, in the page frame and the person's language.
handler400 = "stafett.core.errors.bad_request"
handler403 = "stafett.core.errors.permission_denied"
handler404 = "stafett.core.errors.page_not_found"
handler500 = "stafett.core.errors.server_error"
