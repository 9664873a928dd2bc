"""Staff and organisation performance under /kinerja/. URL names are a contract (access-matrix
tests use them)."""

from .operators.urls import urlpatterns as operator_urls

app_name = "performance"
urlpatterns = [*operator_urls]
