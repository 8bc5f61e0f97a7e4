from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from core import views as core_views
from core.health import healthz

handler500 = "core.unavailable.server_error"  # a database outage raised in a middleware answers 503

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/setlang/", core_views.set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("org/", include("stakeholders.urls")),
    path("alliances/", include("alliance.urls")),
    path("notifications/", include("notifications.urls")),
    path("risk/", include("risk.urls")),
    path("feedback/", include("feedback.urls")),
    path("community/", include("community.urls")),
    path("webhooks/", include("webhooks.urls")),
    path("insight/", include("insight.urls")),
    path("coordination/", include("coordination.urls")),
    path("", include("core.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
