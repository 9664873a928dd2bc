"""`/api/v1/…`: the REST API (schema at /api/v1/openapi.json, docs at /api/v1/docs)."""

from django.urls import path

from .main import api

urlpatterns = [path("v1/", api.urls)]
