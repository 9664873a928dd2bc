"""Bimtek, budget lines and facility needs under /bimtek/."""

app_name = "training"
urlpatterns: list = []
